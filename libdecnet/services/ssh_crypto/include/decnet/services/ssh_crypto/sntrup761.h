// Streamlined NTRU Prime, parameter set 761 (p = 761, q = 4591, w = 286), the KEM half of OpenSSH's
// sntrup761x25519-sha512@openssh.com. Written from the NTRU Prime round-3 specification; the byte
// layouts (Rq and Rounded encodings, secret key = f || 1/g || pk || rho || Hash4(pk), ciphertext =
// Rounded(c) || confirmation) are the ones OpenSSH's sntrup761.c produces and parses.
//
// Every function returns false only when libsodium cannot be initialised (no randomness). Any 1158
// bytes decode as some public key and any 1039 bytes as some ciphertext: a hostile ciphertext is
// answered with the implicit-rejection key, as the specification requires, never with an error.
#pragma once

#include <cstddef>
#include <cstdint>

namespace decnet::services::ssh_crypto {

constexpr size_t kSntrup761PublicKeyBytes = 1158, kSntrup761CiphertextBytes = 1039,
                 kSntrup761SecretKeyBytes = 1763, kSntrup761SharedBytes = 32;

// Server side of the KEX: a fresh shared key and its ciphertext for the client's public key.
bool Sntrup761Encapsulate(const uint8_t pk[1158], uint8_t ct[1039], uint8_t key[32]);
// Client side, for tests and completeness.
bool Sntrup761KeyPair(uint8_t pk[1158], uint8_t sk[1763]);
// Constant time in the secret key and in whether the ciphertext is valid.
bool Sntrup761Decapsulate(const uint8_t ct[1039], const uint8_t sk[1763], uint8_t key[32]);

namespace detail {
// The randomness source, replaceable so tests can reproduce known answers. The functions above use
// libsodium's randombytes_buf.
struct RandomSource {
  void (*fill)(void* ctx, uint8_t* out, size_t len);
  void* ctx;
};
void Sntrup761KeyPairWith(RandomSource rng, uint8_t pk[1158], uint8_t sk[1763]);
void Sntrup761EncapsulateWith(RandomSource rng, const uint8_t pk[1158], uint8_t ct[1039],
                              uint8_t key[32]);
}  // namespace detail

}  // namespace decnet::services::ssh_crypto
