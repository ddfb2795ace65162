#include "decnet/capture/quic.h"

#include <openssl/evp.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace decnet::capture {
namespace {

constexpr uint32_t kQuicV1 = 0x00000001;
constexpr uint8_t kInitialSaltV1[20] = {0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
                                        0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a};
constexpr size_t kMaxCidLen = 20;
constexpr size_t kTagLen = 16;

// Implementations fetched once: OpenSSL 3's one-shot HMAC() and EVP_aes_*() look the provider up on
// every call, which made key derivation the most expensive step of the whole analyzer.
const EVP_MD* Sha256Md() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md ? md : EVP_sha256();
}
const EVP_CIPHER* Cipher(bool gcm) {
  static const EVP_CIPHER* ecb = EVP_CIPHER_fetch(nullptr, "AES-128-ECB", nullptr);
  static const EVP_CIPHER* g = EVP_CIPHER_fetch(nullptr, "AES-128-GCM", nullptr);
  if (gcm) return g ? g : EVP_aes_128_gcm();
  return ecb ? ecb : EVP_aes_128_ecb();
}

// Contexts reused across calls: allocating and freeing an EVP context per packet cost more than the
// AES and SHA-256 work itself. The analyzer is single-threaded.
EVP_MD_CTX* MdContext() {
  static EVP_MD_CTX* c = EVP_MD_CTX_new();
  return c;
}
EVP_CIPHER_CTX* CipherContext(bool gcm) {
  static EVP_CIPHER_CTX* ecb = EVP_CIPHER_CTX_new();
  static EVP_CIPHER_CTX* g = EVP_CIPHER_CTX_new();
  return gcm ? g : ecb;
}

bool Sha256Parts(const uint8_t* a, size_t a_len, const uint8_t* b, size_t b_len, uint8_t out[32]) {
  EVP_MD_CTX* c = MdContext();
  unsigned int n = 0;
  return c && EVP_DigestInit_ex(c, Sha256Md(), nullptr) == 1 && EVP_DigestUpdate(c, a, a_len) == 1 &&
         EVP_DigestUpdate(c, b, b_len) == 1 && EVP_DigestFinal_ex(c, out, &n) == 1;
}

// HMAC-SHA256 (RFC 2104) over the cached digest: H((K ^ opad) || H((K ^ ipad) || data)).
void HmacSha256(const uint8_t* key, size_t key_len, const uint8_t* data, size_t len, uint8_t out[32]) {
  uint8_t k[64] = {0};
  if (key_len > 64) {
    Sha256Parts(key, key_len, nullptr, 0, k);
  } else {
    std::memcpy(k, key, key_len);
  }
  uint8_t pad[64];
  uint8_t inner[32];
  for (int i = 0; i < 64; ++i) pad[i] = k[i] ^ 0x36;
  Sha256Parts(pad, 64, data, len, inner);
  for (int i = 0; i < 64; ++i) pad[i] = k[i] ^ 0x5c;
  Sha256Parts(pad, 64, inner, 32, out);
}

// HKDF-Expand-Label (RFC 8446 §7.1) with an empty context; out_len <= 32.
void ExpandLabel(const uint8_t secret[32], std::string_view label, uint8_t* out, size_t out_len) {
  constexpr std::string_view kPrefix = "tls13 ";
  uint8_t info[64];
  size_t n = 0;
  info[n++] = uint8_t(out_len >> 8);
  info[n++] = uint8_t(out_len);
  info[n++] = uint8_t(kPrefix.size() + label.size());
  std::memcpy(info + n, kPrefix.data(), kPrefix.size());
  n += kPrefix.size();
  std::memcpy(info + n, label.data(), label.size());
  n += label.size();
  info[n++] = 0;
  info[n++] = 1;  // HKDF-Expand counter: one block is enough for <= 32 bytes
  uint8_t block[32];
  HmacSha256(secret, 32, info, n, block);
  std::memcpy(out, block, out_len);
}

bool AesEcb(const uint8_t key[16], const uint8_t in[16], uint8_t out[16]) {
  EVP_CIPHER_CTX* c = CipherContext(false);
  int n = 0;
  bool ok = c && EVP_EncryptInit_ex(c, Cipher(false), nullptr, key, nullptr) == 1 &&
            EVP_CIPHER_CTX_set_padding(c, 0) == 1 && EVP_EncryptUpdate(c, out, &n, in, 16) == 1;
  return ok && n == 16;
}

bool AesGcm(bool encrypt, const QuicKeys& k, uint64_t pn, Bytes aad, Bytes in, uint8_t* tag,
            std::vector<uint8_t>& out) {
  uint8_t nonce[12];
  std::memcpy(nonce, k.iv.data(), 12);
  for (int i = 0; i < 8; ++i) nonce[11 - i] ^= uint8_t(pn >> (8 * i));
  EVP_CIPHER_CTX* c = CipherContext(true);
  if (!c) return false;
  out.resize(in.size());
  int n = 0, fin = 0;
  bool ok = (encrypt ? EVP_EncryptInit_ex(c, Cipher(true), nullptr, nullptr, nullptr)
                     : EVP_DecryptInit_ex(c, Cipher(true), nullptr, nullptr, nullptr)) == 1 &&
            EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12, nullptr) == 1 &&
            (encrypt ? EVP_EncryptInit_ex(c, nullptr, nullptr, k.key.data(), nonce)
                     : EVP_DecryptInit_ex(c, nullptr, nullptr, k.key.data(), nonce)) == 1;
  if (ok) {
    ok = encrypt ? EVP_EncryptUpdate(c, nullptr, &n, aad.data(), int(aad.size())) == 1 &&
                       EVP_EncryptUpdate(c, out.data(), &n, in.data(), int(in.size())) == 1 &&
                       EVP_EncryptFinal_ex(c, out.data() + n, &fin) == 1 &&
                       EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1
                 : EVP_DecryptUpdate(c, nullptr, &n, aad.data(), int(aad.size())) == 1 &&
                       EVP_DecryptUpdate(c, out.data(), &n, in.data(), int(in.size())) == 1 &&
                       EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag) == 1 &&
                       EVP_DecryptFinal_ex(c, out.data() + n, &fin) == 1;
  }
  return ok;
}

// The client keys of the last DCID seen: a client sends several Initials under one DCID (a ClientHello
// split across datagrams, retransmissions), and derivation is five HMACs.
const QuicKeys& ClientKeysFor(Bytes dcid) {
  static uint8_t last_dcid[kMaxCidLen];
  static size_t last_len = SIZE_MAX;
  static QuicKeys keys;
  if (last_len != dcid.size() || std::memcmp(last_dcid, dcid.data(), dcid.size()) != 0) {
    keys = DeriveInitialKeys(dcid, false);
    std::memcpy(last_dcid, dcid.data(), dcid.size());
    last_len = dcid.size();
  }
  return keys;
}

void PutVarint(std::vector<uint8_t>& b, uint64_t v) {
  if (v < 64) {
    b.push_back(uint8_t(v));
  } else if (v < 16384) {
    b.push_back(uint8_t(0x40 | (v >> 8)));
    b.push_back(uint8_t(v));
  } else {
    b.push_back(uint8_t(0x80 | (v >> 24)));
    b.push_back(uint8_t(v >> 16));
    b.push_back(uint8_t(v >> 8));
    b.push_back(uint8_t(v));
  }
}

}  // namespace

QuicKeys DeriveInitialKeys(Bytes dcid, bool server) {
  uint8_t initial[32];
  HmacSha256(kInitialSaltV1, sizeof kInitialSaltV1, dcid.data(), dcid.size(), initial);
  QuicKeys k;
  ExpandLabel(initial, server ? "server in" : "client in", k.secret.data(), 32);
  ExpandLabel(k.secret.data(), "quic key", k.key.data(), 16);
  ExpandLabel(k.secret.data(), "quic iv", k.iv.data(), 12);
  ExpandLabel(k.secret.data(), "quic hp", k.hp.data(), 16);
  return k;
}

bool ReadVarint(ByteReader& r, uint64_t* v) {
  uint8_t first = r.U8();
  if (!r.ok()) return false;
  size_t len = size_t(1) << (first >> 6);
  uint64_t x = first & 0x3F;
  for (size_t i = 1; i < len; ++i) x = x << 8 | r.U8();
  *v = x;
  return r.ok();
}

bool IsQuicInitial(Bytes d) {
  return d.size() >= 7 && (d[0] & 0xC0) == 0xC0 && ((d[0] >> 4) & 3) == 0 &&
         Load32(&d[1]) == kQuicV1;
}

bool DecryptClientInitial(Bytes d, QuicInitial& out) {
  if (!IsQuicInitial(d)) return false;
  ByteReader r(d);
  r.U8();
  out.version = r.U32();
  Bytes dcid = r.Take(r.U8());
  Bytes scid = r.Take(r.U8());
  uint64_t token_len = 0, length = 0;
  if (!r.ok() || dcid.size() > kMaxCidLen || scid.size() > kMaxCidLen) return false;
  if (!ReadVarint(r, &token_len) || token_len > r.remaining() || !r.Skip(size_t(token_len))) return false;
  if (!ReadVarint(r, &length) || length > r.remaining() || length < 4 + kTagLen) return false;
  size_t pn_offset = r.pos();
  if (pn_offset + 4 + 16 > d.size() || pn_offset + length > d.size()) return false;
  const QuicKeys& k = ClientKeysFor(dcid);
  uint8_t mask[16];
  if (!AesEcb(k.hp.data(), &d[pn_offset + 4], mask)) return false;
  std::vector<uint8_t> header(d.begin(), d.begin() + pn_offset + 4);
  header[0] ^= mask[0] & 0x0F;
  size_t pn_len = (header[0] & 3) + 1;
  uint64_t pn = 0;
  for (size_t i = 0; i < pn_len; ++i) {
    header[pn_offset + i] ^= mask[1 + i];
    pn = pn << 8 | header[pn_offset + i];
  }
  header.resize(pn_offset + pn_len);
  size_t payload_len = size_t(length) - pn_len;
  if (payload_len < kTagLen) return false;
  Bytes cipher = d.subspan(pn_offset + pn_len, payload_len - kTagLen);
  uint8_t tag[16];
  std::memcpy(tag, &d[pn_offset + pn_len + payload_len - kTagLen], 16);
  if (!AesGcm(false, k, pn, header, cipher, tag, out.plaintext)) return false;
  out.dcid.assign(dcid.begin(), dcid.end());
  out.scid.assign(scid.begin(), scid.end());
  out.packet_number = pn;
  out.packet_len = pn_offset + size_t(length);
  return true;
}

bool ForEachCryptoFrame(Bytes plaintext, const std::function<void(uint64_t, Bytes)>& fn) {
  ByteReader r(plaintext);
  while (r.remaining() > 0) {
    uint64_t type;
    if (!ReadVarint(r, &type)) return false;
    switch (type) {
      case 0x00:  // PADDING
      case 0x01:  // PING
        continue;
      case 0x02:
      case 0x03: {  // ACK: largest, delay, range count, first range, ranges[, ECN counts]
        uint64_t v, count;
        if (!ReadVarint(r, &v) || !ReadVarint(r, &v) || !ReadVarint(r, &count) || !ReadVarint(r, &v))
          return false;
        if (count > r.remaining()) return false;
        for (uint64_t i = 0; i < count * 2; ++i)
          if (!ReadVarint(r, &v)) return false;
        if (type == 0x03)
          for (int i = 0; i < 3; ++i)
            if (!ReadVarint(r, &v)) return false;
        continue;
      }
      case 0x06: {  // CRYPTO
        uint64_t offset, len;
        if (!ReadVarint(r, &offset) || !ReadVarint(r, &len) || len > r.remaining()) return false;
        fn(offset, r.Take(size_t(len)));
        continue;
      }
      case 0x1C: {  // CONNECTION_CLOSE: the rest carries nothing we use
        return true;
      }
      default:
        return false;
    }
  }
  return true;
}

std::vector<uint8_t> ProtectClientInitialForTest(Bytes dcid, Bytes scid, uint32_t pn, Bytes frames) {
  QuicKeys k = DeriveInitialKeys(dcid, false);
  std::vector<uint8_t> h = {0xC3, 0, 0, 0, 1};  // Initial, 4-byte packet number
  h.push_back(uint8_t(dcid.size()));
  h.insert(h.end(), dcid.begin(), dcid.end());
  h.push_back(uint8_t(scid.size()));
  h.insert(h.end(), scid.begin(), scid.end());
  h.push_back(0);  // no token
  PutVarint(h, 4 + frames.size() + kTagLen);
  size_t pn_offset = h.size();
  for (int i = 3; i >= 0; --i) h.push_back(uint8_t(pn >> (8 * i)));
  std::vector<uint8_t> ct;
  uint8_t tag[16];
  AesGcm(true, k, pn, h, frames, tag, ct);
  std::vector<uint8_t> pkt = h;
  pkt.insert(pkt.end(), ct.begin(), ct.end());
  pkt.insert(pkt.end(), tag, tag + 16);
  uint8_t mask[16];
  AesEcb(k.hp.data(), &pkt[pn_offset + 4], mask);
  pkt[0] ^= mask[0] & 0x0F;
  for (int i = 0; i < 4; ++i) pkt[pn_offset + i] ^= mask[1 + i];
  return pkt;
}

}  // namespace decnet::capture
