// Streamlined NTRU Prime 761 from the round-3 specification ("NTRU Prime: round 3", sections 3 and
// 4: Core, Encodings, KEM). Rq = Z_q[x]/(x^p - x - 1), R3 = Z_3[x]/(x^p - x - 1).
//
// Constant time: every operation on secret data (the key f, 1/g, the input r, the decrypted e and
// the validity of the ciphertext) uses no secret-dependent branch, index or division; reductions
// are multiply-and-shift. The radix encodings only see public data (keys and ciphertexts) and
// divide.
#include "decnet/services/ssh_crypto/sntrup761.h"

#include <sodium.h>

#include <array>
#include <cstring>
#include <vector>

namespace decnet::services::ssh_crypto {
namespace {

constexpr int kP = 761;
constexpr int kQ = 4591;
constexpr int kW = 286;
constexpr int kQ12 = (kQ - 1) / 2;
constexpr size_t kSmallBytes = (kP + 3) / 4;  // 191
constexpr size_t kRqBytes = kSntrup761PublicKeyBytes;
constexpr size_t kRoundedBytes = 1007;
constexpr size_t kHashBytes = 32;
static_assert(kRoundedBytes + kHashBytes == kSntrup761CiphertextBytes);
static_assert(2 * kSmallBytes + kRqBytes + kSmallBytes + kHashBytes == kSntrup761SecretKeyBytes);

using Fq = int16_t;    // centred representative in [-kQ12, kQ12]
using Small = int8_t;  // -1, 0, 1
using PolyQ = std::array<Fq, kP>;
using Poly3 = std::array<Small, kP>;

// ---- constant-time scalar helpers

// u mod m for u < 2^31 and m < 2^14, without a division instruction: the quotient estimate from
// floor(2^32/m) is short by at most one, fixed by one masked subtraction.
template <uint32_t m>
uint32_t ModU(uint32_t u) {
  constexpr uint64_t kMagic = (uint64_t{1} << 32) / m;
  uint32_t r = u - static_cast<uint32_t>((u * kMagic) >> 32) * m;
  uint32_t t = r - m;
  uint32_t keep_t = 0u - (1u ^ (t >> 31));  // all ones when r >= m
  return (t & keep_t) | (r & ~keep_t);
}

// Centred x mod q, for |x| < 2^29.
Fq FqFreeze(int32_t x) {
  constexpr int32_t kBias = kQ12 + kQ * (1 << 17);  // makes every accepted x non-negative
  return static_cast<Fq>(static_cast<int32_t>(ModU<kQ>(static_cast<uint32_t>(x + kBias))) - kQ12);
}

// Centred x mod 3, for |x| < 2^29.
Small F3Freeze(int32_t x) {
  constexpr int32_t kBias = 1 + 3 * (1 << 28);
  return static_cast<Small>(static_cast<int32_t>(ModU<3>(static_cast<uint32_t>(x + kBias))) - 1);
}

int32_t NonzeroMask(int32_t x) {  // -1 if x != 0, else 0
  uint32_t u = static_cast<uint32_t>(x);
  return -static_cast<int32_t>((u | (0u - u)) >> 31);
}

int32_t NegativeMask(int32_t x) { return x >> 31; }  // -1 if x < 0 (arithmetic shift, C++20)

// a^(q-2) = 1/a in Z_q, by a fixed square-and-multiply chain (the exponent is public).
Fq FqRecip(Fq a) {
  int32_t result = 1;
  int32_t base = a;
  for (uint32_t e = kQ - 2; e != 0; e >>= 1) {
    if (e & 1) result = FqFreeze(result * base);
    base = FqFreeze(base * base);
  }
  return static_cast<Fq>(result);
}

// ---- polynomial arithmetic

// Schoolbook products run over g padded to 768 coefficients: a fixed trip count that is a multiple
// of the vector width lets -O2 vectorize the inner loop (3x faster here) without -O3's code size.
constexpr int kPad = 768;
using Product = std::array<int32_t, kP + kPad - 1>;

// prod = f * g in Z[x] (degree < 2p-1; the top kPad-p entries stay zero).
template <typename A, typename B>
void Schoolbook(Product& prod, const A& f, const B& g) {
  std::array<int32_t, kPad> padded{};
  for (int j = 0; j < kP; ++j) padded[j] = g[j];
  prod.fill(0);
  for (int i = 0; i < kP; ++i) {
    const int32_t fi = f[i];
    int32_t* row = &prod[i];
    for (int j = 0; j < kPad; ++j) row[j] += fi * padded[j];
  }
}

// Reduces each coefficient, then folds modulo x^p - x - 1 (x^p = x + 1) from the top down.
template <typename T, typename Freeze>
void FoldProduct(Product& prod, std::array<T, kP>& out, Freeze freeze) {
  for (int i = 0; i < 2 * kP - 1; ++i) prod[i] = freeze(prod[i]);
  for (int i = 2 * kP - 2; i >= kP; --i) {
    prod[i - kP] = freeze(prod[i - kP] + prod[i]);
    prod[i - kP + 1] = freeze(prod[i - kP + 1] + prod[i]);
  }
  for (int i = 0; i < kP; ++i) out[i] = static_cast<T>(prod[i]);
}

// h = f * g in Rq, g small. Sums of p terms of |2295 * 1| stay far inside int32.
void RqMultSmall(PolyQ& h, const PolyQ& f, const Poly3& g) {
  Product prod;
  Schoolbook(prod, f, g);
  FoldProduct(prod, h, FqFreeze);
}

void R3Mult(Poly3& h, const Poly3& f, const Poly3& g) {
  Product prod;
  Schoolbook(prod, f, g);
  FoldProduct(prod, h, F3Freeze);
}

// The constant-time extended GCD ("divstep" form of the specification's reciprocal) against the
// modulus x^p - x - 1, on reversed polynomials. Returns 0 when `in` is invertible.
// Shared by R3 (out = 1/in) and Rq (out = 1/(3 in)); Field supplies the arithmetic.
struct F3Field {
  using T = Small;
  static T Freeze(int32_t x) { return F3Freeze(x); }
  static T InitialR() { return 1; }
  static T Recip(T a) { return a; }  // in Z_3, 1/a = a for a = +-1
};
struct FqField {
  using T = Fq;
  static T Freeze(int32_t x) { return FqFreeze(x); }
  static T InitialR() { return FqRecip(3); }
  static T Recip(T a) { return FqRecip(a); }
};

template <typename Field>
int Reciprocal(std::array<typename Field::T, kP>& out, const Poly3& in) {
  using T = typename Field::T;
  std::array<T, kP + 1> f{}, g{}, v{}, r{};
  r[0] = Field::InitialR();
  f[0] = 1;
  f[kP - 1] = f[kP] = -1;
  for (int i = 0; i < kP; ++i) g[kP - 1 - i] = in[i];
  int32_t delta = 1;
  for (int loop = 0; loop < 2 * kP - 1; ++loop) {
    for (int i = kP; i > 0; --i) v[i] = v[i - 1];
    v[0] = 0;
    int32_t swap = NegativeMask(-delta) & NonzeroMask(g[0]);
    delta ^= swap & (delta ^ -delta);
    delta += 1;
    for (int i = 0; i < kP + 1; ++i) {
      T t = static_cast<T>(swap & (f[i] ^ g[i]));
      f[i] ^= t;
      g[i] ^= t;
      t = static_cast<T>(swap & (v[i] ^ r[i]));
      v[i] ^= t;
      r[i] ^= t;
    }
    int32_t f0 = f[0], g0 = g[0];
    for (int i = 0; i < kP + 1; ++i) g[i] = Field::Freeze(f0 * g[i] - g0 * f[i]);
    for (int i = 0; i < kP + 1; ++i) r[i] = Field::Freeze(f0 * r[i] - g0 * v[i]);
    for (int i = 0; i < kP; ++i) g[i] = g[i + 1];
    g[kP] = 0;
  }
  int32_t scale = Field::Recip(f[0]);
  for (int i = 0; i < kP; ++i) out[i] = Field::Freeze(scale * v[kP - 1 - i]);
  return NonzeroMask(delta);
}

// ---- sorting network (Batcher's merge exchange, Knuth TAOCP 5.2.2 algorithm M): the order of
// compare-exchanges depends only on n, so sorting the secret list leaks nothing.

void MinMax(uint32_t& a, uint32_t& b) {
  uint64_t diff = static_cast<uint64_t>(b) - a;             // negative iff b < a
  uint32_t mask = static_cast<uint32_t>(0 - (diff >> 63));  // all ones when b < a
  uint32_t c = (a ^ b) & mask;
  a ^= c;
  b ^= c;
}

void SortU32(uint32_t* x, int n) {
  if (n < 2) return;
  int t = 1;
  while ((1 << t) < n) ++t;
  for (int p = 1 << (t - 1); p > 0; p >>= 1) {
    int q = 1 << (t - 1), r = 0, d = p;
    for (;;) {
      for (int i = 0; i < n - d; ++i) {
        if ((i & p) == r) MinMax(x[i], x[i + d]);
      }
      if (q == p) break;
      d = q - p;
      q >>= 1;
      r = p;
    }
  }
}

// ---- randomness

uint32_t LittleEndian32(const uint8_t* b) {
  return b[0] | (uint32_t{b[1]} << 8) | (uint32_t{b[2]} << 16) | (uint32_t{b[3]} << 24);
}

void RandomList(detail::RandomSource rng, std::array<uint32_t, kP>& list) {
  std::array<uint8_t, 4 * kP> bytes;
  rng.fill(rng.ctx, bytes.data(), bytes.size());
  for (int i = 0; i < kP; ++i) list[i] = LittleEndian32(&bytes[4 * i]);
  sodium_memzero(bytes.data(), bytes.size());
}

// Uniform in {-1,0,1}^p.
void SmallRandom(detail::RandomSource rng, Poly3& out) {
  std::array<uint32_t, kP> list;
  RandomList(rng, list);
  for (int i = 0; i < kP; ++i)
    out[i] = static_cast<Small>((((list[i] & 0x3fffffff) * 3) >> 30) - 1);
  sodium_memzero(list.data(), sizeof list);
}

// Weight exactly w: w entries +-1 then p-w zeros, shuffled by sorting on random high bits (the low
// two bits carry the value, the upper 30 the random key).
void ShortRandom(detail::RandomSource rng, Poly3& out) {
  std::array<uint32_t, kP> list;
  RandomList(rng, list);
  for (int i = 0; i < kW; ++i) list[i] &= ~uint32_t{1};
  for (int i = kW; i < kP; ++i) list[i] = (list[i] & ~uint32_t{3}) | 1;
  SortU32(list.data(), kP);
  for (int i = 0; i < kP; ++i) out[i] = static_cast<Small>((list[i] & 3) - 1);
  sodium_memzero(list.data(), sizeof list);
}

// 0 when r has weight exactly w, else -1.
int32_t WeightMask(const Poly3& r) {
  int32_t weight = 0;
  for (Small c : r) weight += c & 1;
  return NonzeroMask(weight - kW);
}

// ---- encodings

void SmallEncode(uint8_t* out, const Poly3& f) {
  for (int i = 0; i < kP / 4; ++i) {
    uint8_t x = 0;
    for (int j = 0; j < 4; ++j) x |= static_cast<uint8_t>((f[4 * i + j] + 1) << (2 * j));
    out[i] = x;
  }
  out[kP / 4] = static_cast<uint8_t>(f[kP - 1] + 1);
}

void SmallDecode(Poly3& f, const uint8_t* in) {
  for (int i = 0; i < kP / 4; ++i) {
    for (int j = 0; j < 4; ++j) f[4 * i + j] = static_cast<Small>(((in[i] >> (2 * j)) & 3) - 1);
  }
  f[kP - 1] = static_cast<Small>((in[kP / 4] & 3) - 1);
}

// The specification's mixed-radix Encode: R[i] in [0, M[i]), M[i] < 2^14. Pairs are merged into
// one radix-M[i]*M[i+1] digit, whose low bytes are emitted while the radix stays >= 2^14; the
// halved list recurses. Returns the number of bytes written.
size_t Encode(uint8_t* out, const std::vector<uint16_t>& R, const std::vector<uint16_t>& M) {
  size_t len = R.size(), n = 0;
  if (len == 1) {
    uint32_t r = R[0], m = M[0];
    while (m > 1) {
      out[n++] = static_cast<uint8_t>(r);
      r >>= 8;
      m = (m + 255) >> 8;
    }
    return n;
  }
  std::vector<uint16_t> R2((len + 1) / 2), M2((len + 1) / 2);
  size_t i = 0;
  for (; i + 1 < len; i += 2) {
    uint32_t m0 = M[i];
    uint32_t r = R[i] + R[i + 1] * m0;
    uint32_t m = M[i + 1] * m0;
    while (m >= 16384) {
      out[n++] = static_cast<uint8_t>(r);
      r >>= 8;
      m = (m + 255) >> 8;
    }
    R2[i / 2] = static_cast<uint16_t>(r);
    M2[i / 2] = static_cast<uint16_t>(m);
  }
  if (i < len) {
    R2[i / 2] = R[i];
    M2[i / 2] = M[i];
  }
  return n + Encode(out + n, R2, M2);
}

// Inverse of Encode for any input bytes: every output is reduced into [0, M[i]), so a hostile
// string still decodes to a valid element. Reads exactly as many bytes as Encode writes.
void Decode(uint16_t* out, const uint8_t* s, const std::vector<uint16_t>& M) {
  size_t len = M.size();
  if (len == 1) {
    if (M[0] == 1) {
      out[0] = 0;
    } else if (M[0] <= 256) {
      out[0] = static_cast<uint16_t>(s[0] % M[0]);
    } else {
      out[0] = static_cast<uint16_t>((s[0] + (uint32_t{s[1]} << 8)) % M[0]);
    }
    return;
  }
  size_t half = (len + 1) / 2;
  std::vector<uint16_t> R2(half), M2(half), bottom_r(len / 2);
  std::vector<uint32_t> bottom_t(len / 2);
  size_t i = 0;
  for (; i + 1 < len; i += 2) {
    uint32_t m = uint32_t{M[i]} * M[i + 1];
    if (m > 256 * 16383) {
      bottom_t[i / 2] = 256 * 256;
      bottom_r[i / 2] = static_cast<uint16_t>(s[0] + 256 * s[1]);
      s += 2;
      M2[i / 2] = static_cast<uint16_t>((((m + 255) >> 8) + 255) >> 8);
    } else if (m >= 16384) {
      bottom_t[i / 2] = 256;
      bottom_r[i / 2] = s[0];
      s += 1;
      M2[i / 2] = static_cast<uint16_t>((m + 255) >> 8);
    } else {
      bottom_t[i / 2] = 1;
      bottom_r[i / 2] = 0;
      M2[i / 2] = static_cast<uint16_t>(m);
    }
  }
  if (i < len) M2[i / 2] = M[i];
  Decode(R2.data(), s, M2);
  for (i = 0; i + 1 < len; i += 2) {
    uint32_t r = bottom_r[i / 2] + bottom_t[i / 2] * R2[i / 2];
    *out++ = static_cast<uint16_t>(r % M[i]);
    *out++ = static_cast<uint16_t>((r / M[i]) % M[i + 1]);  // the mod only matters for bad input
  }
  if (i < len) *out++ = R2[i / 2];
}

void RqEncode(uint8_t* out, const PolyQ& h) {
  std::vector<uint16_t> R(kP), M(kP, kQ);
  for (int i = 0; i < kP; ++i) R[i] = static_cast<uint16_t>(h[i] + kQ12);
  Encode(out, R, M);
}

void RqDecode(PolyQ& h, const uint8_t* in) {
  std::vector<uint16_t> R(kP), M(kP, kQ);
  Decode(R.data(), in, M);
  for (int i = 0; i < kP; ++i) h[i] = static_cast<Fq>(R[i] - kQ12);
}

// Rounded coefficients are multiples of 3 in [-q12, q12]: stored as (c + q12) / 3 in radix 1531.
void RoundedEncode(uint8_t* out, const PolyQ& c) {
  std::vector<uint16_t> R(kP), M(kP, (kQ + 2) / 3);
  for (int i = 0; i < kP; ++i) R[i] = static_cast<uint16_t>(((c[i] + kQ12) * 10923) >> 15);
  Encode(out, R, M);
}

void RoundedDecode(PolyQ& c, const uint8_t* in) {
  std::vector<uint16_t> R(kP), M(kP, (kQ + 2) / 3);
  Decode(R.data(), in, M);
  for (int i = 0; i < kP; ++i) c[i] = static_cast<Fq>(R[i] * 3 - kQ12);
}

// ---- hashes: the first 32 bytes of SHA-512(b || parts...)

void HashPrefix(uint8_t out[kHashBytes], uint8_t b, const uint8_t* a, size_t alen,
                const uint8_t* c = nullptr, size_t clen = 0) {
  crypto_hash_sha512_state st;
  uint8_t h[crypto_hash_sha512_BYTES];
  crypto_hash_sha512_init(&st);
  crypto_hash_sha512_update(&st, &b, 1);
  crypto_hash_sha512_update(&st, a, alen);
  if (clen) crypto_hash_sha512_update(&st, c, clen);
  crypto_hash_sha512_final(&st, h);
  std::memcpy(out, h, kHashBytes);
  sodium_memzero(h, sizeof h);
}

// Confirmation: Hash2(Hash3(r_enc) || Hash4(pk)).
void HashConfirm(uint8_t out[kHashBytes], const uint8_t* r_enc, const uint8_t* cache) {
  uint8_t x[2 * kHashBytes];
  HashPrefix(x, 3, r_enc, kSmallBytes);
  std::memcpy(x + kHashBytes, cache, kHashBytes);
  HashPrefix(out, 2, x, sizeof x);
}

// Session key: Hash_b(Hash3(r_enc) || ciphertext), b = 1 for a valid ciphertext, 0 otherwise.
void HashSession(uint8_t out[kHashBytes], uint8_t b, const uint8_t* r_enc, const uint8_t* ct) {
  uint8_t x[kHashBytes];
  HashPrefix(x, 3, r_enc, kSmallBytes);
  HashPrefix(out, b, x, sizeof x, ct, kSntrup761CiphertextBytes);
}

// ---- core

// c = Round(h * r) plus the confirmation, into ct; r_enc receives Small_encode(r).
void Hide(uint8_t* ct, uint8_t* r_enc, const Poly3& r, const uint8_t* pk, const uint8_t* cache) {
  SmallEncode(r_enc, r);
  PolyQ h, c;
  RqDecode(h, pk);
  RqMultSmall(c, h, r);
  for (auto& x : c) x = static_cast<Fq>(x - F3Freeze(x));  // nearest multiple of 3
  RoundedEncode(ct, c);
  HashConfirm(ct + kRoundedBytes, r_enc, cache);
}

// r = the weight-w input recovered from c (or a fixed weight-w vector when decryption fails, which
// the re-encryption check then rejects).
void Decrypt(Poly3& r, const uint8_t* ct, const uint8_t* sk) {
  Poly3 f, ginv, e, ev;
  PolyQ c, cf;
  SmallDecode(f, sk);
  SmallDecode(ginv, sk + kSmallBytes);
  RoundedDecode(c, ct);
  RqMultSmall(cf, c, f);
  for (int i = 0; i < kP; ++i)
    e[i] = F3Freeze(FqFreeze(3 * cf[i]));  // 3fc = 3fhr + ... = g r mod 3
  R3Mult(ev, e, ginv);
  int32_t mask = WeightMask(ev);
  for (int i = 0; i < kW; ++i) r[i] = static_cast<Small>(((ev[i] ^ 1) & ~mask) ^ 1);
  for (int i = kW; i < kP; ++i) r[i] = static_cast<Small>(ev[i] & ~mask);
}

void SodiumFill(void*, uint8_t* out, size_t len) { randombytes_buf(out, len); }

}  // namespace

namespace detail {

void Sntrup761KeyPairWith(RandomSource rng, uint8_t pk[1158], uint8_t sk[1763]) {
  Poly3 g, ginv, f;
  do {
    SmallRandom(rng, g);
  } while (Reciprocal<F3Field>(ginv, g) != 0);
  ShortRandom(rng, f);
  PolyQ finv3, h;
  Reciprocal<FqField>(finv3,
                      f);  // f is invertible in Rq for every short f (q prime, x^p-x-1 irreducible)
  RqMultSmall(h, finv3, g);  // h = g / (3f)
  RqEncode(pk, h);
  SmallEncode(sk, f);
  SmallEncode(sk + kSmallBytes, ginv);
  uint8_t* p = sk + 2 * kSmallBytes;
  std::memcpy(p, pk, kRqBytes);
  rng.fill(rng.ctx, p + kRqBytes, kSmallBytes);  // rho, the implicit-rejection secret
  HashPrefix(p + kRqBytes + kSmallBytes, 4, pk, kRqBytes);
  sodium_memzero(f.data(), sizeof f);
  sodium_memzero(g.data(), sizeof g);
  sodium_memzero(ginv.data(), sizeof ginv);
}

void Sntrup761EncapsulateWith(RandomSource rng, const uint8_t pk[1158], uint8_t ct[1039],
                              uint8_t key[32]) {
  uint8_t cache[kHashBytes], r_enc[kSmallBytes];
  HashPrefix(cache, 4, pk, kRqBytes);
  Poly3 r;
  ShortRandom(rng, r);
  Hide(ct, r_enc, r, pk, cache);
  HashSession(key, 1, r_enc, ct);
  sodium_memzero(r.data(), sizeof r);
  sodium_memzero(r_enc, sizeof r_enc);
}

}  // namespace detail

bool Sntrup761KeyPair(uint8_t pk[1158], uint8_t sk[1763]) {
  if (sodium_init() < 0) return false;
  detail::Sntrup761KeyPairWith({SodiumFill, nullptr}, pk, sk);
  return true;
}

bool Sntrup761Encapsulate(const uint8_t pk[1158], uint8_t ct[1039], uint8_t key[32]) {
  if (sodium_init() < 0) return false;
  detail::Sntrup761EncapsulateWith({SodiumFill, nullptr}, pk, ct, key);
  return true;
}

bool Sntrup761Decapsulate(const uint8_t ct[1039], const uint8_t sk[1763], uint8_t key[32]) {
  if (sodium_init() < 0) return false;
  const uint8_t* pk = sk + 2 * kSmallBytes;
  const uint8_t* rho = pk + kRqBytes;
  const uint8_t* cache = rho + kSmallBytes;
  Poly3 r;
  uint8_t r_enc[kSmallBytes], cnew[kSntrup761CiphertextBytes];
  Decrypt(r, ct, sk);
  Hide(cnew, r_enc, r, pk, cache);
  uint32_t diff = 0;
  for (size_t i = 0; i < kSntrup761CiphertextBytes; ++i) diff |= ct[i] ^ cnew[i];
  // mask: 0 when the ciphertext re-encrypts exactly, else -1 (then r_enc becomes rho).
  int32_t mask = NonzeroMask(static_cast<int32_t>(diff));
  for (size_t i = 0; i < kSmallBytes; ++i) {
    r_enc[i] = static_cast<uint8_t>(r_enc[i] ^ (mask & (r_enc[i] ^ rho[i])));
  }
  HashSession(key, static_cast<uint8_t>(1 + mask), r_enc, ct);
  sodium_memzero(r.data(), sizeof r);
  sodium_memzero(r_enc, sizeof r_enc);
  return true;
}

}  // namespace decnet::services::ssh_crypto
