// UMAC (RFC 4418) over AES-128, as OpenSSH's umac-64@openssh.com and umac-128@openssh.com (and
// their -etm variants) use it: the nonce is the packet sequence number as 8 bytes big-endian, the
// message is the packet (or, for -etm, length || ciphertext). Written from the RFC; the 32-, 64-,
// 96- and 128-bit tags of its appendix (with erratum 3507) are the tests.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace decnet::services::ssh_crypto {

class Umac {
 public:
  // tag_bytes: 8 (umac-64) or 16 (umac-128); 4 and 12 (the RFC's other sizes) work too. Any other
  // size, or an AES failure in libcrypto, leaves ok() false and Tag() writing zeros.
  Umac(const uint8_t key[16], size_t tag_bytes);
  ~Umac();
  Umac(const Umac&) = delete;
  Umac& operator=(const Umac&) = delete;
  Umac(Umac&&) noexcept;  // a rekey can replace the object in place
  Umac& operator=(Umac&&) noexcept;

  bool ok() const { return ok_; }
  size_t tag_bytes() const { return tag_bytes_; }

  // out receives tag_bytes() bytes. Any length, including 0.
  void Tag(const uint8_t nonce[8], const uint8_t* data, size_t len, uint8_t* out);
  // Recomputes the tag and compares in constant time.
  bool Verify(const uint8_t nonce[8], const uint8_t* data, size_t len, const uint8_t* tag);

  struct Aes;  // libcrypto's AES-128 behind a forward declaration (keeps OpenSSL out of the header)

 private:
  static constexpr int kMaxIters = 4;  // one per 32 bits of tag

  void Pad(const uint8_t nonce[8], uint8_t* out);
  void Hash(const uint8_t* data, size_t len, uint8_t* out) const;

  size_t tag_bytes_ = 0;
  int iters_ = 0;
  bool ok_ = false;
  std::unique_ptr<Aes> pdf_aes_;  // AES under KDF(K, 0): the pad
  std::array<uint32_t, 256 + 4 * (kMaxIters - 1)> nh_key_{};
  std::array<uint64_t, kMaxIters> poly64_key_{};
  std::array<unsigned __int128, kMaxIters> poly128_key_{};
  std::array<std::array<uint64_t, 8>, kMaxIters> l3_key1_{};
  std::array<uint32_t, kMaxIters> l3_key2_{};
  // The last AES block of the pad: umac-64 serves two consecutive sequence numbers from one block.
  std::array<uint8_t, 16> cached_nonce_{};
  std::array<uint8_t, 16> cached_pad_{};
  bool cache_valid_ = false;
};

}  // namespace decnet::services::ssh_crypto
