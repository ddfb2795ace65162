// sntrup761: every key pair/encapsulation/decapsulation agrees, a modified ciphertext or a foreign
// secret key gives the implicit-rejection key (not the sender's), deterministic randomness gives
// deterministic output, and any bytes at all are accepted as a public key or ciphertext.
#include "decnet/services/ssh_crypto/sntrup761.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace decnet::services::ssh_crypto {
namespace {

using Pk = std::array<uint8_t, kSntrup761PublicKeyBytes>;
using Sk = std::array<uint8_t, kSntrup761SecretKeyBytes>;
using Ct = std::array<uint8_t, kSntrup761CiphertextBytes>;
using Key = std::array<uint8_t, kSntrup761SharedBytes>;

// A deterministic stream (SHA-512 in counter mode) standing in for the system RNG.
struct TestRng {
  uint64_t counter = 0;
  uint8_t seed = 0;
  static void Fill(void* ctx, uint8_t* out, size_t len) {
    auto* self = static_cast<TestRng*>(ctx);
    while (len > 0) {
      uint8_t in[9] = {self->seed};
      std::memcpy(in + 1, &self->counter, 8);
      ++self->counter;
      uint8_t h[64];
      crypto_hash_sha512(h, in, sizeof in);
      size_t n = len < 64 ? len : 64;
      std::memcpy(out, h, n);
      out += n;
      len -= n;
    }
  }
  detail::RandomSource Source() { return {Fill, this}; }
};

TEST(Sntrup761, RoundTripAgreesOverManyKeys) {
  for (int k = 0; k < 4; ++k) {
    Pk pk;
    Sk sk;
    ASSERT_TRUE(Sntrup761KeyPair(pk.data(), sk.data()));
    for (int e = 0; e < 8; ++e) {
      Ct ct;
      Key sent, got;
      ASSERT_TRUE(Sntrup761Encapsulate(pk.data(), ct.data(), sent.data()));
      ASSERT_TRUE(Sntrup761Decapsulate(ct.data(), sk.data(), got.data()));
      EXPECT_EQ(sent, got) << "key " << k << " encapsulation " << e;
    }
  }
}

TEST(Sntrup761, SecretKeyCarriesPublicKey) {
  Pk pk;
  Sk sk;
  ASSERT_TRUE(Sntrup761KeyPair(pk.data(), sk.data()));
  EXPECT_EQ(0, std::memcmp(sk.data() + 2 * 191, pk.data(), pk.size()));
  // The last 32 bytes are the cached Hash4(pk): SHA-512(4 || pk), first half.
  std::vector<uint8_t> in(1 + pk.size(), 4);
  std::memcpy(in.data() + 1, pk.data(), pk.size());
  uint8_t h[64];
  crypto_hash_sha512(h, in.data(), in.size());
  EXPECT_EQ(0, std::memcmp(sk.data() + sk.size() - 32, h, 32));
}

TEST(Sntrup761, TamperedCiphertextGivesAnotherKey) {
  Pk pk;
  Sk sk;
  ASSERT_TRUE(Sntrup761KeyPair(pk.data(), sk.data()));
  Ct ct;
  Key sent;
  ASSERT_TRUE(Sntrup761Encapsulate(pk.data(), ct.data(), sent.data()));
  for (size_t pos : {size_t{0}, size_t{500}, size_t{1006}, size_t{1007}, size_t{1038}}) {
    Ct bad = ct;
    bad[pos] ^= 0x01;
    Key got, again;
    ASSERT_TRUE(Sntrup761Decapsulate(bad.data(), sk.data(), got.data()));
    EXPECT_NE(sent, got) << "flipped byte " << pos;
    // Implicit rejection is a function of (sk, ct): the same bad ciphertext, the same key.
    ASSERT_TRUE(Sntrup761Decapsulate(bad.data(), sk.data(), again.data()));
    EXPECT_EQ(got, again);
  }
}

TEST(Sntrup761, ForeignSecretKeyDoesNotRecoverKey) {
  Pk pk1, pk2;
  Sk sk1, sk2;
  ASSERT_TRUE(Sntrup761KeyPair(pk1.data(), sk1.data()));
  ASSERT_TRUE(Sntrup761KeyPair(pk2.data(), sk2.data()));
  Ct ct;
  Key sent, got;
  ASSERT_TRUE(Sntrup761Encapsulate(pk1.data(), ct.data(), sent.data()));
  ASSERT_TRUE(Sntrup761Decapsulate(ct.data(), sk2.data(), got.data()));
  EXPECT_NE(sent, got);
}

TEST(Sntrup761, DeterministicRandomnessGivesDeterministicOutput) {
  Pk pk_a, pk_b;
  Sk sk_a, sk_b;
  Ct ct_a, ct_b;
  Key k_a, k_b;
  TestRng ra{0, 7}, rb{0, 7};
  detail::Sntrup761KeyPairWith(ra.Source(), pk_a.data(), sk_a.data());
  detail::Sntrup761KeyPairWith(rb.Source(), pk_b.data(), sk_b.data());
  EXPECT_EQ(pk_a, pk_b);
  EXPECT_EQ(sk_a, sk_b);
  detail::Sntrup761EncapsulateWith(ra.Source(), pk_a.data(), ct_a.data(), k_a.data());
  detail::Sntrup761EncapsulateWith(rb.Source(), pk_b.data(), ct_b.data(), k_b.data());
  EXPECT_EQ(ct_a, ct_b);
  EXPECT_EQ(k_a, k_b);
  Key got;
  ASSERT_TRUE(Sntrup761Decapsulate(ct_a.data(), sk_a.data(), got.data()));
  EXPECT_EQ(k_a, got);
}

std::string Sha256Hex(const std::vector<uint8_t>& v) {
  uint8_t h[32];
  crypto_hash_sha256(h, v.data(), v.size());
  std::string s;
  char buf[3];
  for (uint8_t b : h) {
    std::snprintf(buf, sizeof buf, "%02x", b);
    s += buf;
  }
  return s;
}

// Pins the exact bytes (pk, sk, ct, key) for a fixed randomness stream: these bytes interoperate
// with OpenSSH (openssh_oracle.sh), so a refactor that changes any encoding fails here first.
TEST(Sntrup761, PinnedBytesForFixedRandomness) {
  Pk pk;
  Sk sk;
  Ct ct;
  Key key;
  TestRng rng{0, 42};
  detail::Sntrup761KeyPairWith(rng.Source(), pk.data(), sk.data());
  detail::Sntrup761EncapsulateWith(rng.Source(), pk.data(), ct.data(), key.data());
  std::vector<uint8_t> all(pk.begin(), pk.end());
  all.insert(all.end(), sk.begin(), sk.end());
  all.insert(all.end(), ct.begin(), ct.end());
  all.insert(all.end(), key.begin(), key.end());
  EXPECT_EQ("94436fd13da3906f7adb0e2781961beaa50863364703111fbca2a60714d9608f", Sha256Hex(all));
}

// Hostile public keys: all-zero, all-0xff (every radix digit out of range) and random bytes are
// still encapsulated to without fault, and decapsulating garbage ciphertexts never crashes.
TEST(Sntrup761, HostileInputsAreAccepted) {
  std::vector<Pk> keys(3);
  keys[0].fill(0);
  keys[1].fill(0xff);
  randombytes_buf(keys[2].data(), keys[2].size());
  for (const auto& pk : keys) {
    Ct ct;
    Key k;
    EXPECT_TRUE(Sntrup761Encapsulate(pk.data(), ct.data(), k.data()));
  }
  Pk pk;
  Sk sk;
  ASSERT_TRUE(Sntrup761KeyPair(pk.data(), sk.data()));
  Ct ff, zero;
  ff.fill(0xff);
  zero.fill(0);
  Key a, b;
  EXPECT_TRUE(Sntrup761Decapsulate(ff.data(), sk.data(), a.data()));
  EXPECT_TRUE(Sntrup761Decapsulate(zero.data(), sk.data(), b.data()));
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace decnet::services::ssh_crypto
