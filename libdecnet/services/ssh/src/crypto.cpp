#include "decnet/services/ssh/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <cstring>

#include "decnet/services/ssh/wire.h"
#include "decnet/services/ssh_crypto/umac.h"

namespace decnet::services::ssh {
namespace {

const EVP_MD* Md(HashAlg a) {
  switch (a) {
    case HashAlg::kSha1:
      return EVP_sha1();
    case HashAlg::kSha256:
      return EVP_sha256();
    case HashAlg::kSha384:
      return EVP_sha384();
    case HashAlg::kSha512:
      return EVP_sha512();
  }
  return EVP_sha256();
}

uint32_t Be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

std::string Be32Str(uint32_t v) { return Writer().U32(v).Take(); }

class PlainCipher final : public PacketCipher {
 public:
  size_t block() const override { return 8; }
  bool LengthInAad() const override { return false; }
  size_t tag_len() const override { return 0; }
  size_t first_len() const override { return 4; }
  uint32_t PeekLength(uint32_t, const uint8_t* first) override { return Be32(first); }
  bool Open(uint32_t, std::string_view packet, std::string* plain) override {
    plain->assign(packet.substr(4));
    return true;
  }
  std::string Seal(uint32_t, std::string_view packet) override { return std::string(packet); }
};

// chacha20-poly1305@openssh.com (PROTOCOL.chacha20poly1305): the second 32 key bytes encrypt the
// length, the first 32 the payload (block counter 1) and give the Poly1305 key (block 0); nonce =
// seq.
class ChachaPoly final : public PacketCipher {
 public:
  explicit ChachaPoly(std::string_view key) {
    std::memcpy(main_, key.data(), 32);
    std::memcpy(header_, key.data() + 32, 32);
  }
  ~ChachaPoly() override {
    sodium_memzero(main_, sizeof main_);
    sodium_memzero(header_, sizeof header_);
  }
  size_t block() const override { return 8; }
  bool LengthInAad() const override { return true; }
  size_t tag_len() const override { return 16; }
  size_t first_len() const override { return 4; }
  uint32_t PeekLength(uint32_t seq, const uint8_t* first) override {
    uint8_t nonce[8], len[4];
    Nonce(seq, nonce);
    crypto_stream_chacha20_xor(len, first, 4, nonce, header_);
    return Be32(len);
  }
  bool Open(uint32_t seq, std::string_view packet, std::string* plain) override {
    uint8_t nonce[8], poly_key[32] = {};
    Nonce(seq, nonce);
    crypto_stream_chacha20(poly_key, sizeof poly_key, nonce, main_);
    const size_t body = packet.size() - 16;
    const auto* p = reinterpret_cast<const uint8_t*>(packet.data());
    const bool good = crypto_onetimeauth_poly1305_verify(p + body, p, body, poly_key) == 0;
    sodium_memzero(poly_key, sizeof poly_key);
    if (!good) return false;
    plain->resize(body - 4);
    crypto_stream_chacha20_xor_ic(reinterpret_cast<uint8_t*>(plain->data()), p + 4, body - 4, nonce,
                                  1, main_);
    return true;
  }
  std::string Seal(uint32_t seq, std::string_view packet) override {
    uint8_t nonce[8], poly_key[32] = {};
    Nonce(seq, nonce);
    std::string out(packet.size() + 16, '\0');
    auto* o = reinterpret_cast<uint8_t*>(out.data());
    const auto* in = reinterpret_cast<const uint8_t*>(packet.data());
    crypto_stream_chacha20_xor(o, in, 4, nonce, header_);
    crypto_stream_chacha20_xor_ic(o + 4, in + 4, packet.size() - 4, nonce, 1, main_);
    crypto_stream_chacha20(poly_key, sizeof poly_key, nonce, main_);
    crypto_onetimeauth_poly1305(o + packet.size(), o, packet.size(), poly_key);
    sodium_memzero(poly_key, sizeof poly_key);
    return out;
  }

 private:
  static void Nonce(uint32_t seq, uint8_t out[8]) {
    std::memset(out, 0, 4);
    for (int i = 0; i < 4; ++i) out[4 + i] = static_cast<uint8_t>(seq >> (24 - 8 * i));
  }
  uint8_t main_[32], header_[32];
};

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

// AES-GCM (RFC 5647): the length travels in clear as AAD; the 12-byte IV's last 8 bytes count
// packets.
class AesGcm final : public PacketCipher {
 public:
  AesGcm(std::string_view key, std::string_view iv) : enc_(EVP_CIPHER_CTX_new()) {
    const EVP_CIPHER* c = key.size() == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
    EVP_CipherInit_ex(enc_.get(), c, nullptr, reinterpret_cast<const uint8_t*>(key.data()), nullptr,
                      -1);
    std::memcpy(iv_, iv.data(), 12);
  }
  size_t block() const override { return 16; }
  bool LengthInAad() const override { return true; }
  size_t tag_len() const override { return 16; }
  size_t first_len() const override { return 4; }
  uint32_t PeekLength(uint32_t, const uint8_t* first) override { return Be32(first); }
  bool Open(uint32_t, std::string_view packet, std::string* plain) override {
    return Run(packet.substr(0, packet.size() - 16), plain, false,
               packet.substr(packet.size() - 16));
  }
  std::string Seal(uint32_t, std::string_view packet) override {
    std::string body;
    Run(packet, &body, true, {});
    return std::string(packet.substr(0, 4)) + body;
  }

 private:
  // `in` = length || body; *out = the transformed body (+ tag when sealing).
  bool Run(std::string_view in, std::string* out, bool seal, std::string_view tag) {
    EVP_CIPHER_CTX* c = enc_.get();
    int n = 0;
    const auto* p = reinterpret_cast<const uint8_t*>(in.data());
    EVP_CipherInit_ex(c, nullptr, nullptr, nullptr, iv_, seal ? 1 : 0);
    EVP_CipherUpdate(c, nullptr, &n, p, 4);
    out->resize(in.size() - 4 + (seal ? 16 : 0));
    auto* o = reinterpret_cast<uint8_t*>(out->data());
    EVP_CipherUpdate(c, o, &n, p + 4, static_cast<int>(in.size() - 4));
    if (!seal) {
      EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, const_cast<char*>(tag.data()));
    }
    const bool good = EVP_CipherFinal_ex(c, o + n, &n) == 1;
    if (seal) EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, o + in.size() - 4);
    for (int i = 11; i >= 4 && ++iv_[i] == 0; --i) {
    }
    return good;
  }
  CipherCtx enc_;
  uint8_t iv_[12];
};

// The MAC of a CTR cipher: HMAC over seq || data, or UMAC (RFC 4418) over data with the 64-bit
// sequence number as nonce, as OpenSSH's umac-64/umac-128@openssh.com.
class Mac {
 public:
  virtual ~Mac() = default;
  virtual size_t len() const = 0;
  virtual std::string Compute(uint32_t seq, std::string_view data) = 0;
};

class HmacMac final : public Mac {
 public:
  HmacMac(const EVP_MD* md, std::string_view key) : md_(md), key_(key) {}
  ~HmacMac() override { OPENSSL_cleanse(key_.data(), key_.size()); }
  size_t len() const override { return static_cast<size_t>(EVP_MD_get_size(md_)); }
  std::string Compute(uint32_t seq, std::string_view data) override {
    std::string msg = Be32Str(seq);
    msg.append(data);
    uint8_t out[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    HMAC(md_, key_.data(), static_cast<int>(key_.size()),
         reinterpret_cast<const uint8_t*>(msg.data()), msg.size(), out, &n);
    return std::string(reinterpret_cast<char*>(out), n);
  }

 private:
  const EVP_MD* md_;
  std::string key_;
};

class UmacMac final : public Mac {
 public:
  UmacMac(std::string_view key, size_t tag)
      : umac_(reinterpret_cast<const uint8_t*>(key.data()), tag) {}
  size_t len() const override { return umac_.tag_bytes(); }
  std::string Compute(uint32_t seq, std::string_view data) override {
    uint8_t nonce[8] = {0,
                        0,
                        0,
                        0,
                        static_cast<uint8_t>(seq >> 24),
                        static_cast<uint8_t>(seq >> 16),
                        static_cast<uint8_t>(seq >> 8),
                        static_cast<uint8_t>(seq)};
    std::string out(umac_.tag_bytes(), '\0');
    umac_.Tag(nonce, reinterpret_cast<const uint8_t*>(data.data()), data.size(),
              reinterpret_cast<uint8_t*>(out.data()));
    return out;
  }

 private:
  ssh_crypto::Umac umac_;
};

// AES-CTR with a MAC: encrypt-and-MAC over the plaintext, or -etm (MAC over the encrypted packet,
// the length left in clear).
class CtrHmac final : public PacketCipher {
 public:
  CtrHmac(std::string_view key, std::string_view iv, std::unique_ptr<Mac> mac, bool etm)
      : ctx_(EVP_CIPHER_CTX_new()), mac_(std::move(mac)), etm_(etm) {
    const EVP_CIPHER* c = key.size() == 16   ? EVP_aes_128_ctr()
                          : key.size() == 24 ? EVP_aes_192_ctr()
                                             : EVP_aes_256_ctr();
    EVP_CipherInit_ex(ctx_.get(), c, nullptr, reinterpret_cast<const uint8_t*>(key.data()),
                      reinterpret_cast<const uint8_t*>(iv.data()), 1);
    tag_len_ = mac_->len();
  }
  size_t block() const override { return 16; }
  bool LengthInAad() const override { return etm_; }
  size_t tag_len() const override { return tag_len_; }
  size_t first_len() const override { return etm_ ? 4 : 16; }
  uint32_t PeekLength(uint32_t, const uint8_t* first) override {
    if (etm_) return Be32(first);
    first_.assign(16, '\0');
    Xor(first, 16, reinterpret_cast<uint8_t*>(first_.data()));
    return Be32(reinterpret_cast<const uint8_t*>(first_.data()));
  }
  bool Open(uint32_t seq, std::string_view packet, std::string* plain) override {
    const std::string_view body = packet.substr(0, packet.size() - tag_len_);
    const std::string_view tag = packet.substr(body.size());
    if (etm_) {
      if (!TagMatches(seq, body, tag)) return false;
      plain->resize(body.size() - 4);
      Xor(reinterpret_cast<const uint8_t*>(body.data()) + 4, body.size() - 4,
          reinterpret_cast<uint8_t*>(plain->data()));
      return true;
    }
    std::string clear = first_;
    clear.resize(body.size());
    Xor(reinterpret_cast<const uint8_t*>(body.data()) + 16, body.size() - 16,
        reinterpret_cast<uint8_t*>(clear.data()) + 16);
    if (!TagMatches(seq, clear, tag)) return false;
    plain->assign(clear, 4);
    return true;
  }
  std::string Seal(uint32_t seq, std::string_view packet) override {
    std::string out(packet);
    auto* o = reinterpret_cast<uint8_t*>(out.data());
    const auto* in = reinterpret_cast<const uint8_t*>(packet.data());
    if (etm_) {
      Xor(in + 4, packet.size() - 4, o + 4);
      return out + mac_->Compute(seq, out);
    }
    Xor(in, packet.size(), o);
    return out + mac_->Compute(seq, packet);
  }

 private:
  void Xor(const uint8_t* in, size_t n, uint8_t* out) {
    int len = 0;
    EVP_CipherUpdate(ctx_.get(), out, &len, in, static_cast<int>(n));
  }
  bool TagMatches(uint32_t seq, std::string_view data, std::string_view tag) {
    const std::string want = mac_->Compute(seq, data);
    return want.size() == tag.size() && CRYPTO_memcmp(want.data(), tag.data(), tag.size()) == 0;
  }
  CipherCtx ctx_;
  std::unique_ptr<Mac> mac_;
  std::string first_;
  bool etm_;
  size_t tag_len_ = 0;
};

std::string_view MacBase(std::string_view mac, bool* etm) {
  *etm = mac.size() > 16 && mac.substr(mac.size() - 16) == "-etm@openssh.com";
  if (*etm) return mac.substr(0, mac.size() - 16);
  if (mac.size() > 12 && mac.substr(mac.size() - 12) == "@openssh.com") {
    return mac.substr(0, mac.size() - 12);
  }
  return mac;
}

// UMAC tag bytes for umac-64 / umac-128 (any suffix), else 0.
size_t UmacTag(std::string_view mac) {
  bool etm = false;
  const std::string_view base = MacBase(mac, &etm);
  return base == "umac-64" ? 8 : base == "umac-128" ? 16 : 0;
}

const EVP_MD* HmacMd(std::string_view mac, bool* etm) {
  const std::string_view base = MacBase(mac, etm);
  if (base == "hmac-sha1") return EVP_sha1();
  if (base == "hmac-sha2-256") return EVP_sha256();
  if (base == "hmac-sha2-512") return EVP_sha512();
  return nullptr;
}

}  // namespace

std::string Hash(HashAlg alg, std::string_view data) {
  uint8_t out[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  EVP_Digest(data.data(), data.size(), out, &n, Md(alg), nullptr);
  return std::string(reinterpret_cast<char*>(out), n);
}

size_t HashLen(HashAlg alg) { return static_cast<size_t>(EVP_MD_get_size(Md(alg))); }

std::unique_ptr<PacketCipher> NewPlainCipher() { return std::make_unique<PlainCipher>(); }

CipherSpec CipherSpecOf(std::string_view n) {
  if (n == "chacha20-poly1305@openssh.com") return {64, 0, true};
  if (n == "aes128-gcm@openssh.com") return {16, 12, true};
  if (n == "aes256-gcm@openssh.com") return {32, 12, true};
  if (n == "aes128-ctr") return {16, 16, false};
  if (n == "aes192-ctr") return {24, 16, false};
  if (n == "aes256-ctr") return {32, 16, false};
  return {};
}

size_t MacKeyLen(std::string_view mac) {
  if (UmacTag(mac) != 0) return 16;
  bool etm = false;
  const EVP_MD* md = HmacMd(mac, &etm);
  return md ? static_cast<size_t>(EVP_MD_get_size(md)) : 0;
}

bool CipherImplemented(std::string_view c) { return CipherSpecOf(c).key_len != 0; }
bool MacImplemented(std::string_view m) { return MacKeyLen(m) != 0; }

std::unique_ptr<PacketCipher> NewPacketCipher(std::string_view cipher, std::string_view mac,
                                              std::string_view key, std::string_view iv,
                                              std::string_view mac_key) {
  const CipherSpec spec = CipherSpecOf(cipher);
  if (spec.key_len == 0 || key.size() < spec.key_len || iv.size() < spec.iv_len) return nullptr;
  if (cipher == "chacha20-poly1305@openssh.com") return std::make_unique<ChachaPoly>(key);
  if (spec.aead) return std::make_unique<AesGcm>(key.substr(0, spec.key_len), iv);
  bool etm = false;
  std::unique_ptr<Mac> m;
  if (const size_t tag = UmacTag(mac); tag != 0 && mac_key.size() >= 16) {
    MacBase(mac, &etm);
    m = std::make_unique<UmacMac>(mac_key, tag);
  } else if (const EVP_MD* md = HmacMd(mac, &etm)) {
    m = std::make_unique<HmacMac>(md, mac_key);
  }
  if (!m) return nullptr;
  return std::make_unique<CtrHmac>(key.substr(0, spec.key_len), iv.substr(0, 16), std::move(m),
                                   etm);
}

}  // namespace decnet::services::ssh
