// UMAC per RFC 4418: UMAC(K, M, N) = UHASH(K, M) xor PDF(K, N). UHASH runs taglen/4 independent
// iterations of L1 (NH over 1024-byte chunks), L2 (polynomial hash over the NH outputs, only when
// the message is longer than one chunk) and L3 (inner product mod 2^36 - 5 down to 32 bits).
#include "decnet/services/ssh_crypto/umac.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cstring>

namespace decnet::services::ssh_crypto {

using u128 = unsigned __int128;

// One AES-128 key schedule, single-block ECB encryptions.
struct Umac::Aes {
  EVP_CIPHER_CTX* ctx = nullptr;
  explicit Aes(const uint8_t key[16]) {
    ctx = EVP_CIPHER_CTX_new();
    if (ctx != nullptr && (EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), nullptr, key, nullptr) != 1 ||
                           EVP_CIPHER_CTX_set_padding(ctx, 0) != 1)) {
      EVP_CIPHER_CTX_free(ctx);
      ctx = nullptr;
    }
  }
  ~Aes() { EVP_CIPHER_CTX_free(ctx); }
  bool Encrypt(const uint8_t in[16], uint8_t out[16]) const {
    int n = 0;
    return ctx != nullptr && EVP_EncryptUpdate(ctx, out, &n, in, 16) == 1 && n == 16;
  }
};

namespace {

constexpr size_t kChunk = 1024;  // L1 chunk, bytes
constexpr uint64_t kP36 = (uint64_t{1} << 36) - 5;
constexpr uint64_t kP64 = ~uint64_t{0} - 58;  // 2^64 - 59
constexpr u128 kP128 = ~u128{0} - 158;        // 2^128 - 159
constexpr size_t kPoly64Words = size_t{1}
                                << 14;  // L2 switches to the 128-bit prime after 2^17 bytes

uint32_t Be32(const uint8_t* b) {
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}
uint64_t Be64(const uint8_t* b) { return (uint64_t{Be32(b)} << 32) | Be32(b + 4); }
uint32_t Le32(const uint8_t* b) {
  return b[0] | (uint32_t{b[1]} << 8) | (uint32_t{b[2]} << 16) | (uint32_t{b[3]} << 24);
}
void PutBe32(uint8_t* b, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[i] = static_cast<uint8_t>(v >> (24 - 8 * i));
}

// KDF(K, index, n): AES_K(uint64 index || uint64 counter), counter from 1.
bool Kdf(const Umac::Aes& aes, uint8_t index, uint8_t* out, size_t n) {
  uint8_t in[16] = {}, block[16];
  in[7] = index;
  for (uint64_t counter = 1; n > 0; ++counter) {
    for (int i = 0; i < 8; ++i) in[15 - i] = static_cast<uint8_t>(counter >> (8 * i));
    if (!aes.Encrypt(in, block)) return false;
    size_t take = std::min<size_t>(n, 16);
    std::memcpy(out, block, take);
    out += take;
    n -= take;
  }
  return true;
}

// NH over a multiple of 32 bytes: message words little-endian (the RFC's ENDIAN-SWAP), key words
// big-endian, additions mod 2^32, products and sum mod 2^64.
uint64_t Nh(const uint32_t* key, const uint8_t* m, size_t len) {
  uint64_t y = 0;
  for (size_t i = 0; i < len / 4; i += 8) {
    for (size_t j = 0; j < 4; ++j) {
      uint32_t a = Le32(m + 4 * (i + j)) + key[i + j];
      uint32_t b = Le32(m + 4 * (i + j + 4)) + key[i + j + 4];
      y += uint64_t{a} * b;
    }
  }
  return y;
}

// x mod 2^64 - 59 for any 128-bit x (2^64 = 59 mod p).
uint64_t ModP64(u128 x) {
  while (x >> 64) x = (x >> 64) * 59 + static_cast<uint64_t>(x);
  uint64_t r = static_cast<uint64_t>(x);
  return r >= kP64 ? r - kP64 : r;
}

// One POLY step: y = k*y + m mod p, with the RFC's escape for words too close to p.
uint64_t Poly64Step(uint64_t k, uint64_t y, uint64_t m) {
  constexpr uint64_t kMaxWord = ~uint64_t{0} - 0xffffffffULL;  // 2^64 - 2^32
  if (m >= kMaxWord) {
    y = ModP64(u128{k} * y + (kP64 - 1));
    m -= 59;
  }
  return ModP64(u128{k} * y + m);
}

u128 AddModP128(u128 a, u128 b) {  // a, b < p
  u128 s = a + b;
  return (s < a || s >= kP128) ? s - kP128 : s;
}

// Shift-and-add: the 128-bit prime is only reached by messages over 16 MiB (one word per 2 KiB of
// message), so simplicity wins over speed here.
u128 MulModP128(u128 a, u128 b) {
  u128 r = 0;
  for (int bit = 127; bit >= 0; --bit) {
    r = AddModP128(r, r);
    if ((b >> bit) & 1) r = AddModP128(r, a);
  }
  return r;
}

u128 Poly128Step(u128 k, u128 y, u128 m) {
  const u128 kMaxWord = ~u128{0} - ((u128{1} << 96) - 1);  // 2^128 - 2^96
  if (m >= kMaxWord) {
    y = AddModP128(MulModP128(k, y), kP128 - 1);
    m -= 159;
  }
  return AddModP128(MulModP128(k, y), m);
}

// L3: the 128-bit L2 result as eight 16-bit words, inner product with keys mod 2^36 - 5, low 32
// bits.
uint32_t L3(const std::array<uint64_t, 8>& key, u128 y) {
  uint64_t sum = 0;
  for (int i = 0; i < 8; ++i) sum += key[i] * static_cast<uint16_t>(y >> (112 - 16 * i));
  return static_cast<uint32_t>(sum % kP36);
}

// One L1 chunk (at most 1024 bytes): NH over it zero-padded to a multiple of 32 bytes (an empty
// message to 32), plus its length in bits. Only the last partial 32-byte group is copied.
uint64_t L1Chunk(const uint32_t* key, const uint8_t* m, size_t n) {
  size_t full = n / 32 * 32;
  uint64_t y = Nh(key, m, full);
  if (n != full || n == 0) {
    uint8_t tail[32] = {};
    if (n > full) std::memcpy(tail, m + full, n - full);
    y += Nh(key + full / 4, tail, sizeof tail);
    OPENSSL_cleanse(tail, sizeof tail);
  }
  return y + 8 * uint64_t{n};
}

// L2-HASH of one iteration, fed one L1 output at a time: POLY64 over the first 2^14 words; past
// 2^17 bytes, POLY128 over (the 64-bit result || the remaining words || 0x80, zero-padded) in
// 16-byte words.
struct L2Hash {
  uint64_t k64 = 0;
  u128 k128 = 0;
  uint64_t y64 = 1;
  u128 y128 = 0;
  uint64_t half = 0;  // the first 8 bytes of a pending 16-byte POLY128 word
  size_t n = 0;       // words fed

  void Feed(uint64_t a) {
    if (n < kPoly64Words) {
      y64 = Poly64Step(k64, y64, a);
    } else {
      if (n == kPoly64Words) y128 = Poly128Step(k128, 1, y64);
      if ((n - kPoly64Words) % 2 == 0) {
        half = a;
      } else {
        y128 = Poly128Step(k128, y128, (u128{half} << 64) | a);
      }
    }
    ++n;
  }

  u128 Final() const {
    if (n <= kPoly64Words) return y64;
    bool pending = (n - kPoly64Words) % 2 == 1;
    u128 last = pending ? ((u128{half} << 64) | (uint64_t{0x80} << 56)) : (u128{0x80} << 120);
    return Poly128Step(k128, y128, last);
  }
};

}  // namespace

Umac::Umac(const uint8_t key[16], size_t tag_bytes) : tag_bytes_(tag_bytes) {
  if (tag_bytes != 4 && tag_bytes != 8 && tag_bytes != 12 && tag_bytes != 16) return;
  iters_ = static_cast<int>(tag_bytes / 4);
  Aes aes(key);
  uint8_t pdf_key[16];
  std::array<uint8_t, sizeof(nh_key_)> l1;
  std::array<uint8_t, 24 * kMaxIters> l2;
  std::array<uint8_t, 64 * kMaxIters> l31;
  std::array<uint8_t, 4 * kMaxIters> l32;
  if (!Kdf(aes, 0, pdf_key, sizeof pdf_key) || !Kdf(aes, 1, l1.data(), l1.size()) ||
      !Kdf(aes, 2, l2.data(), l2.size()) || !Kdf(aes, 3, l31.data(), l31.size()) ||
      !Kdf(aes, 4, l32.data(), l32.size())) {
    return;
  }
  pdf_aes_ = std::make_unique<Aes>(pdf_key);
  OPENSSL_cleanse(pdf_key, sizeof pdf_key);
  for (size_t i = 0; i < nh_key_.size(); ++i) nh_key_[i] = Be32(&l1[4 * i]);
  for (int i = 0; i < kMaxIters; ++i) {
    const uint8_t* k = &l2[24 * i];
    poly64_key_[i] = Be64(k) & 0x01ffffff01ffffffULL;
    poly128_key_[i] = ((u128{Be64(k + 8)} << 64) | Be64(k + 16)) &
                      ((u128{0x01ffffff01ffffffULL} << 64) | 0x01ffffff01ffffffULL);
    for (int j = 0; j < 8; ++j) l3_key1_[i][j] = Be64(&l31[64 * i + 8 * j]) % kP36;
    l3_key2_[i] = Be32(&l32[4 * i]);
  }
  OPENSSL_cleanse(l1.data(), l1.size());
  OPENSSL_cleanse(l2.data(), l2.size());
  OPENSSL_cleanse(l31.data(), l31.size());
  OPENSSL_cleanse(l32.data(), l32.size());
  ok_ = pdf_aes_->ctx != nullptr;
}

Umac::Umac(Umac&&) noexcept = default;
Umac& Umac::operator=(Umac&&) noexcept = default;

Umac::~Umac() {
  OPENSSL_cleanse(nh_key_.data(), sizeof nh_key_);
  OPENSSL_cleanse(l3_key1_.data(), sizeof l3_key1_);
}

// UHASH into out (tag_bytes_ bytes): per iteration, L1 per chunk, L2 over the chunk hashes unless
// there is only one chunk (then B = zeroes(64) || A), L3 down to 32 bits.
void Umac::Hash(const uint8_t* data, size_t len, uint8_t* out) const {
  const bool single = len <= kChunk;
  std::array<L2Hash, kMaxIters> l2;
  std::array<uint64_t, kMaxIters> only{};
  for (int i = 0; i < iters_; ++i) {
    l2[i].k64 = poly64_key_[i];
    l2[i].k128 = poly128_key_[i];
  }
  size_t pos = 0;
  do {
    size_t n = std::min(kChunk, len - pos);
    for (int i = 0; i < iters_; ++i) {
      uint64_t a = L1Chunk(&nh_key_[4 * i], data + pos, n);
      if (single) {
        only[i] = a;
      } else {
        l2[i].Feed(a);
      }
    }
    pos += n;
  } while (pos < len);
  for (int i = 0; i < iters_; ++i) {
    u128 b = single ? u128{only[i]} : l2[i].Final();
    PutBe32(out + 4 * i, L3(l3_key1_[i], b) ^ l3_key2_[i]);
  }
}

// PDF: AES_K'(nonce with its low index bits cleared, zero-padded to 16 bytes); a 4- or 8-byte tag
// takes the index-th slice of the block, so consecutive nonces share one AES call.
void Umac::Pad(const uint8_t nonce[8], uint8_t* out) {
  unsigned index = 0;
  uint8_t block[16] = {};
  std::memcpy(block, nonce, 8);
  if (tag_bytes_ == 4 || tag_bytes_ == 8) {
    unsigned mask = tag_bytes_ == 4 ? 3 : 1;
    index = nonce[7] & mask;
    block[7] = static_cast<uint8_t>(block[7] & ~mask);
  }
  if (!cache_valid_ || std::memcmp(block, cached_nonce_.data(), 16) != 0) {
    cache_valid_ = pdf_aes_->Encrypt(block, cached_pad_.data());
    if (!cache_valid_) cached_pad_.fill(0);
    std::memcpy(cached_nonce_.data(), block, 16);
  }
  std::memcpy(out, cached_pad_.data() + index * tag_bytes_, tag_bytes_);
}

void Umac::Tag(const uint8_t nonce[8], const uint8_t* data, size_t len, uint8_t* out) {
  if (!ok_ || !pdf_aes_) {  // a moved-from object has no AES key left
    std::memset(out, 0, tag_bytes_);
    return;
  }
  uint8_t hash[16], pad[16];
  Hash(data, len, hash);
  Pad(nonce, pad);
  for (size_t i = 0; i < tag_bytes_; ++i) out[i] = hash[i] ^ pad[i];
}

bool Umac::Verify(const uint8_t nonce[8], const uint8_t* data, size_t len, const uint8_t* tag) {
  if (!ok_ || !pdf_aes_) return false;
  uint8_t mine[16];
  Tag(nonce, data, len, mine);
  return CRYPTO_memcmp(mine, tag, tag_bytes_) == 0;
}

}  // namespace decnet::services::ssh_crypto
