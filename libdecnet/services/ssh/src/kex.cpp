#include "decnet/services/ssh/kex.h"

#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sodium.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "decnet/services/ssh/wire.h"
#include "decnet/services/ssh_crypto/sntrup761.h"

namespace decnet::services::ssh {
namespace {

constexpr uint8_t kKexEcdhInit = 30, kKexEcdhReply = 31;
constexpr uint8_t kGexRequest = 34, kGexGroup = 31, kGexInit = 32, kGexReply = 33;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
struct BnFree {
  void operator()(BIGNUM* b) const { BN_clear_free(b); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;

std::string BnBytes(const BIGNUM* b) {
  std::string out(static_cast<size_t>(BN_num_bytes(b)), '\0');
  BN_bn2bin(b, reinterpret_cast<uint8_t*>(out.data()));
  return out;
}

std::string BnParam(const EVP_PKEY* k, const char* name) {
  BIGNUM* b = nullptr;
  if (EVP_PKEY_get_bn_param(k, name, &b) != 1) return {};
  std::string out = BnBytes(b);
  BN_free(b);
  return out;
}

std::string PubOctets(const EVP_PKEY* k) {
  uint8_t buf[200];
  size_t n = 0;
  if (EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, buf, sizeof buf, &n) != 1)
    return {};
  return std::string(reinterpret_cast<char*>(buf), n);
}

// Writes `data` to `path` (0600) atomically: a crash never leaves half a key behind.
bool WriteFileAtomic(const std::string& path, std::string_view data) {
  const std::string tmp = path + ".tmp";
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return false;
  const bool ok =
      write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()) && fsync(fd) == 0;
  close(fd);
  return ok && rename(tmp.c_str(), path.c_str()) == 0;
}

std::string ReadFile(const std::string& path) {
  std::string out;
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0 && out.size() < (1 << 16)) out.append(buf, n);
  close(fd);
  return out;
}

class Ed25519Key final : public HostKey {
 public:
  explicit Ed25519Key(std::string_view seed) {
    crypto_sign_seed_keypair(pk_, sk_, reinterpret_cast<const uint8_t*>(seed.data()));
  }
  std::string Blob() const override {
    return Writer().Str("ssh-ed25519").Str({reinterpret_cast<const char*>(pk_), 32}).Take();
  }
  std::string Sign(std::string_view, std::string_view data) const override {
    uint8_t sig[64];
    crypto_sign_detached(sig, nullptr, reinterpret_cast<const uint8_t*>(data.data()), data.size(),
                         sk_);
    return Writer().Str("ssh-ed25519").Str({reinterpret_cast<char*>(sig), 64}).Take();
  }

 private:
  uint8_t pk_[32], sk_[64];
};

std::string EvpSign(EVP_PKEY* key, const EVP_MD* md, std::string_view data) {
  EVP_MD_CTX* c = EVP_MD_CTX_new();
  size_t n = 0;
  std::string sig;
  if (EVP_DigestSignInit(c, nullptr, md, nullptr, key) == 1 &&
      EVP_DigestSign(c, nullptr, &n, reinterpret_cast<const uint8_t*>(data.data()), data.size()) ==
          1) {
    sig.resize(n);
    if (EVP_DigestSign(c, reinterpret_cast<uint8_t*>(sig.data()), &n,
                       reinterpret_cast<const uint8_t*>(data.data()), data.size()) != 1) {
      n = 0;
    }
    sig.resize(n);
  }
  EVP_MD_CTX_free(c);
  return sig;
}

class RsaKey final : public HostKey {
 public:
  explicit RsaKey(Pkey k) : key_(std::move(k)) {
    blob_ = Writer()
                .Str("ssh-rsa")
                .Mpint(BnParam(key_.get(), "e"))
                .Mpint(BnParam(key_.get(), "n"))
                .Take();
  }
  std::string Blob() const override { return blob_; }
  std::string Sign(std::string_view alg, std::string_view data) const override {
    const EVP_MD* md = alg == "rsa-sha2-512"   ? EVP_sha512()
                       : alg == "rsa-sha2-256" ? EVP_sha256()
                                               : EVP_sha1();
    return Writer().Str(alg).Str(EvpSign(key_.get(), md, data)).Take();
  }

 private:
  Pkey key_;
  std::string blob_;
};

class EcdsaKey final : public HostKey {
 public:
  explicit EcdsaKey(Pkey k) : key_(std::move(k)) {
    blob_ = Writer().Str("ecdsa-sha2-nistp256").Str("nistp256").Str(PubOctets(key_.get())).Take();
  }
  std::string Blob() const override { return blob_; }
  std::string Sign(std::string_view, std::string_view data) const override {
    const std::string der = EvpSign(key_.get(), EVP_sha256(), data);
    const auto* p = reinterpret_cast<const uint8_t*>(der.data());
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
    if (!sig) return {};
    const std::string rs =
        Writer().Mpint(BnBytes(ECDSA_SIG_get0_r(sig))).Mpint(BnBytes(ECDSA_SIG_get0_s(sig))).Take();
    ECDSA_SIG_free(sig);
    return Writer().Str("ecdsa-sha2-nistp256").Str(rs).Take();
  }

 private:
  Pkey key_;
  std::string blob_;
};

Pkey ParsePem(std::string_view pem) {
  if (pem.empty()) return nullptr;
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  Pkey k(PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return k;
}

void SavePem(const std::string& path, EVP_PKEY* k) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, k, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  WriteFileAtomic(path, std::string_view(data, static_cast<size_t>(n)));
  BIO_free(bio);
}

// A stored RSA/ECDSA key read as text at start (before the privilege drop) and parsed at its first
// use: OpenSSL's decoders and providers cost an idle decky ~180 KiB of private memory, and most
// OpenSSH clients pick ssh-ed25519 (libsodium) anyway.
template <typename Key>
class LazyPemKey final : public HostKey {
 public:
  explicit LazyPemKey(std::string pem) : pem_(std::move(pem)) {}
  ~LazyPemKey() override { OPENSSL_cleanse(pem_.data(), pem_.size()); }
  std::string Blob() const override { return Get() ? key_->Blob() : std::string(); }
  std::string Sign(std::string_view alg, std::string_view data) const override {
    return Get() ? key_->Sign(alg, data) : std::string();
  }

 private:
  const HostKey* Get() const {
    if (!key_ && !pem_.empty()) {
      if (Pkey k = ParsePem(pem_)) key_ = std::make_unique<Key>(std::move(k));
      OPENSSL_cleanse(pem_.data(), pem_.size());
      pem_.clear();
    }
    return key_.get();
  }
  mutable std::string pem_;
  mutable std::unique_ptr<HostKey> key_;
};

// The key stored as `file` under dir, or a new one made with `gen` and stored there.
template <typename Key>
std::shared_ptr<HostKey> PemKey(const std::string& dir, const char* file, Pkey (*gen)(),
                                bool* created) {
  const std::string path = dir.empty() ? std::string() : dir + "/" + file;
  if (!path.empty()) {
    std::string pem = ReadFile(path);
    if (pem.find("PRIVATE KEY") != std::string::npos) {
      return std::make_shared<LazyPemKey<Key>>(std::move(pem));
    }
  }
  Pkey k = gen();
  if (!k) return nullptr;
  *created = true;
  if (!path.empty()) SavePem(path, k.get());
  return std::make_shared<Key>(std::move(k));
}

Pkey GenRsa() { return Pkey(EVP_RSA_gen(3072)); }
Pkey GenEcdsa() { return Pkey(EVP_EC_gen("P-256")); }

// ---- key exchange methods

// curve25519-sha256 (RFC 8731): K = the X25519 output read as an unsigned big-endian number.
class Curve25519 final : public KexMethod {
 public:
  HashAlg hash() const override { return HashAlg::kSha256; }
  bool OnMessage(uint8_t type, std::string_view payload, const KexContext& ctx,
                 std::vector<std::string>* replies) override {
    Reader r(payload);
    std::string_view q_c;
    if (type != kKexEcdhInit || !r.Str(&q_c) || q_c.size() != 32) return false;
    uint8_t sk[32], pk[32], shared[32];
    randombytes_buf(sk, sizeof sk);
    crypto_scalarmult_base(pk, sk);
    const bool good =
        crypto_scalarmult(shared, sk, reinterpret_cast<const uint8_t*>(q_c.data())) == 0;
    sodium_memzero(sk, sizeof sk);
    if (!good) return false;  // a low-order point: all-zero output (RFC 8731 §3)
    const std::string_view q_s(reinterpret_cast<char*>(pk), 32);
    const std::string middle = Writer().Str(q_c).Str(q_s).Take();
    std::string k = Writer().Mpint({reinterpret_cast<char*>(shared), 32}).Take();
    sodium_memzero(shared, sizeof shared);
    replies->push_back(Finish(kKexEcdhReply, ctx, middle, Writer().Str(q_s).Take(), std::move(k)));
    return true;
  }
};

// sntrup761x25519-sha512 (OpenSSH's kexsntrup761x25519.c): Q_C = sntrup761 public key || X25519
// key, Q_S = ciphertext || X25519 key, K = string(SHA-512(KEM key || raw X25519 output)), hash
// SHA-512.
class Sntrup761X25519 final : public KexMethod {
 public:
  HashAlg hash() const override { return HashAlg::kSha512; }
  bool OnMessage(uint8_t type, std::string_view payload, const KexContext& ctx,
                 std::vector<std::string>* replies) override {
    using namespace ssh_crypto;
    Reader r(payload);
    std::string_view q_c;
    if (type != kKexEcdhInit || !r.Str(&q_c) || q_c.size() != kSntrup761PublicKeyBytes + 32) {
      return false;
    }
    const auto* in = reinterpret_cast<const uint8_t*>(q_c.data());
    uint8_t q_s[kSntrup761CiphertextBytes + 32], secret[kSntrup761SharedBytes + 32], sk[32];
    if (!Sntrup761Encapsulate(in, q_s, secret)) return false;
    randombytes_buf(sk, sizeof sk);
    crypto_scalarmult_base(q_s + kSntrup761CiphertextBytes, sk);
    const bool good =
        crypto_scalarmult(secret + kSntrup761SharedBytes, sk, in + kSntrup761PublicKeyBytes) == 0;
    sodium_memzero(sk, sizeof sk);
    if (!good) return false;
    std::string hashed = Hash(HashAlg::kSha512, {reinterpret_cast<char*>(secret), sizeof secret});
    sodium_memzero(secret, sizeof secret);
    const std::string_view server_blob(reinterpret_cast<char*>(q_s), sizeof q_s);
    const std::string middle = Writer().Str(q_c).Str(server_blob).Take();
    std::string k = Writer().Str(hashed).Take();
    sodium_memzero(hashed.data(), hashed.size());
    replies->push_back(
        Finish(kKexEcdhReply, ctx, middle, Writer().Str(server_blob).Take(), std::move(k)));
    return true;
  }
};

// ecdh-sha2-nistp256/384/521 (RFC 5656): Q as uncompressed points, K = the shared x coordinate.
class Ecdh final : public KexMethod {
 public:
  Ecdh(const char* curve, HashAlg alg) : curve_(curve), alg_(alg) {}
  HashAlg hash() const override { return alg_; }
  bool OnMessage(uint8_t type, std::string_view payload, const KexContext& ctx,
                 std::vector<std::string>* replies) override {
    Reader r(payload);
    std::string_view q_c;
    if (type != kKexEcdhInit || !r.Str(&q_c) || q_c.empty() || q_c.size() > 200) return false;
    Pkey mine(EVP_EC_gen(curve_));
    Pkey peer = PeerKey(q_c);
    if (!mine || !peer) return false;
    std::string shared = Derive(mine.get(), peer.get());
    if (shared.empty()) return false;
    const std::string q_s = PubOctets(mine.get());
    const std::string middle = Writer().Str(q_c).Str(q_s).Take();
    std::string k = Writer().Mpint(shared).Take();
    OPENSSL_cleanse(shared.data(), shared.size());
    replies->push_back(Finish(kKexEcdhReply, ctx, middle, Writer().Str(q_s).Take(), std::move(k)));
    return true;
  }

 private:
  Pkey PeerKey(std::string_view q) const {
    OSSL_PARAM_BLD* b = OSSL_PARAM_BLD_new();
    OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, curve_, 0);
    OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, q.data(), q.size());
    OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(b);
    EVP_PKEY_CTX* c = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
    EVP_PKEY* k = nullptr;
    if (EVP_PKEY_fromdata_init(c) != 1 ||
        EVP_PKEY_fromdata(c, &k, EVP_PKEY_PUBLIC_KEY, params) != 1) {
      k = nullptr;
    }
    EVP_PKEY_CTX_free(c);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(b);
    Pkey key(k);
    if (key) {
      // The point must be on the curve (an invalid-curve attack otherwise leaks the private key).
      EVP_PKEY_CTX* check = EVP_PKEY_CTX_new(key.get(), nullptr);
      const bool valid = EVP_PKEY_public_check(check) == 1;
      EVP_PKEY_CTX_free(check);
      if (!valid) key.reset();
    }
    return key;
  }
  static std::string Derive(EVP_PKEY* mine, EVP_PKEY* peer) {
    EVP_PKEY_CTX* c = EVP_PKEY_CTX_new(mine, nullptr);
    size_t n = 0;
    std::string out;
    if (EVP_PKEY_derive_init(c) == 1 && EVP_PKEY_derive_set_peer(c, peer) == 1 &&
        EVP_PKEY_derive(c, nullptr, &n) == 1) {
      out.resize(n);
      if (EVP_PKEY_derive(c, reinterpret_cast<uint8_t*>(out.data()), &n) != 1) n = 0;
      out.resize(n);
    }
    EVP_PKEY_CTX_free(c);
    return out;
  }
  const char* curve_;
  HashAlg alg_;
};

// Finite-field Diffie-Hellman over the RFC 3526 groups (group14/16/18), fixed or through
// group exchange (RFC 4419; the group is picked by the client's preferred size, as sshd picks from
// its moduli file).
class Dh final : public KexMethod {
 public:
  Dh(int bits, HashAlg alg, bool gex) : bits_(bits), alg_(alg), gex_(gex) {}
  HashAlg hash() const override { return alg_; }
  bool OnMessage(uint8_t type, std::string_view payload, const KexContext& ctx,
                 std::vector<std::string>* replies) override {
    Reader r(payload);
    if (gex_ && type == kGexRequest && !p_) {
      if (!r.U32(&min_) || !r.U32(&n_) || !r.U32(&max_) || min_ > max_ || n_ < min_ || n_ > max_ ||
          max_ < 2048) {
        return false;
      }
      bits_ = n_ <= 2048 ? 2048 : n_ <= 4096 ? 4096 : 8192;
      if (bits_ > static_cast<int>(max_)) bits_ = max_ >= 4096 ? 4096 : 2048;
      SetGroup();
      replies->push_back(
          Writer().U8(kGexGroup).Mpint(BnBytes(p_.get())).Mpint(BnBytes(g_.get())).Take());
      return true;
    }
    if (type != (gex_ ? kGexInit : kKexEcdhInit) || (gex_ && !p_)) return false;
    if (!p_) SetGroup();
    std::string_view e_bytes;
    if (!r.Str(&e_bytes) || e_bytes.size() > 1025 || (!e_bytes.empty() && (e_bytes[0] & 0x80))) {
      return false;
    }
    Bn e(BN_bin2bn(reinterpret_cast<const uint8_t*>(e_bytes.data()),
                   static_cast<int>(e_bytes.size()), nullptr));
    Bn pm1(BN_dup(p_.get()));
    BN_sub_word(pm1.get(), 1);
    // 1 < e < p-1, or the shared secret is predictable.
    if (BN_cmp(e.get(), BN_value_one()) <= 0 || BN_cmp(e.get(), pm1.get()) >= 0) return false;
    Bn y(BN_new()), f(BN_new()), k(BN_new());
    BN_CTX* bc = BN_CTX_new();
    BN_rand(y.get(), 512, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY);
    BN_mod_exp(f.get(), g_.get(), y.get(), p_.get(), bc);
    BN_mod_exp(k.get(), e.get(), y.get(), p_.get(), bc);
    BN_CTX_free(bc);
    const std::string f_bytes = BnBytes(f.get());
    Writer middle;
    if (gex_) {
      middle.U32(min_).U32(n_).U32(max_).Mpint(BnBytes(p_.get())).Mpint(BnBytes(g_.get()));
    }
    middle.Mpint(e_bytes).Mpint(f_bytes);
    const uint8_t reply = gex_ ? kGexReply : kKexEcdhReply;
    replies->push_back(Finish(reply, ctx, middle.data(), Writer().Mpint(f_bytes).Take(),
                              Writer().Mpint(BnBytes(k.get())).Take()));
    return true;
  }

 private:
  void SetGroup() {
    BIGNUM* p = bits_ == 2048   ? BN_get_rfc3526_prime_2048(nullptr)
                : bits_ == 4096 ? BN_get_rfc3526_prime_4096(nullptr)
                                : BN_get_rfc3526_prime_8192(nullptr);
    p_.reset(p);
    g_.reset(BN_new());
    BN_set_word(g_.get(), 2);
  }
  int bits_;
  HashAlg alg_;
  bool gex_;
  uint32_t min_ = 0, n_ = 0, max_ = 0;
  Bn p_, g_;
};

}  // namespace

std::string KexMethod::Finish(uint8_t type, const KexContext& ctx, std::string_view hash_middle,
                              std::string_view server_public_field, std::string shared_encoded) {
  const std::string k_s = ctx.host_key->Blob();
  Writer in;
  in.Str(ctx.v_c)
      .Str(ctx.v_s)
      .Str(ctx.i_c)
      .Str(ctx.i_s)
      .Str(k_s)
      .Raw(hash_middle)
      .Raw(shared_encoded);
  k_ = std::move(shared_encoded);
  h_ = Hash(hash(), in.data());
  const std::string sig = ctx.host_key->Sign(ctx.host_key_alg, h_);
  return Writer().U8(type).Str(k_s).Raw(server_public_field).Str(sig).Take();
}

std::unique_ptr<KexMethod> NewKexMethod(std::string_view n) {
  if (n == "curve25519-sha256" || n == "curve25519-sha256@libssh.org") {
    return std::make_unique<Curve25519>();
  }
  if (n == "sntrup761x25519-sha512" || n == "sntrup761x25519-sha512@openssh.com") {
    return std::make_unique<Sntrup761X25519>();
  }
  if (n == "ecdh-sha2-nistp256") return std::make_unique<Ecdh>("P-256", HashAlg::kSha256);
  if (n == "ecdh-sha2-nistp384") return std::make_unique<Ecdh>("P-384", HashAlg::kSha384);
  if (n == "ecdh-sha2-nistp521") return std::make_unique<Ecdh>("P-521", HashAlg::kSha512);
  if (n == "diffie-hellman-group14-sha1") return std::make_unique<Dh>(2048, HashAlg::kSha1, false);
  if (n == "diffie-hellman-group14-sha256")
    return std::make_unique<Dh>(2048, HashAlg::kSha256, false);
  if (n == "diffie-hellman-group16-sha512")
    return std::make_unique<Dh>(4096, HashAlg::kSha512, false);
  if (n == "diffie-hellman-group18-sha512")
    return std::make_unique<Dh>(8192, HashAlg::kSha512, false);
  if (n == "diffie-hellman-group-exchange-sha256") {
    return std::make_unique<Dh>(0, HashAlg::kSha256, true);
  }
  return nullptr;
}

bool KexImplemented(std::string_view name) { return NewKexMethod(name) != nullptr; }

namespace {

// Makes the missing RSA/ECDSA key files in a child process: the generation (seconds for RSA-3072 on
// a loaded host, at first start only) would otherwise leave OpenSSL's state in the decky for its
// whole life. False when no child could run (the caller then generates in process).
bool GenerateFilesInChild(const std::string& dir) {
  const std::string rsa = dir + "/ssh_host_rsa_key", ecdsa = dir + "/ssh_host_ecdsa_key";
  if (access(rsa.c_str(), R_OK) == 0 && access(ecdsa.c_str(), R_OK) == 0) return true;
  const pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    if (access(ecdsa.c_str(), R_OK) != 0) {
      if (Pkey k = GenEcdsa()) SavePem(ecdsa, k.get());
    }
    if (access(rsa.c_str(), R_OK) != 0) {
      if (Pkey k = GenRsa()) SavePem(rsa, k.get());
    }
    _exit(0);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

HostKeys HostKeys::LoadOrCreate(const std::string& dir) {
  HostKeys keys;
  if (!dir.empty()) {
    const bool had = access((dir + "/ssh_host_rsa_key").c_str(), R_OK) == 0 &&
                     access((dir + "/ssh_host_ecdsa_key").c_str(), R_OK) == 0;
    if (GenerateFilesInChild(dir) && !had) keys.created_ = true;
  }
  std::string seed = dir.empty() ? std::string() : ReadFile(dir + "/ssh_host_ed25519_key");
  if (seed.size() != 32) {
    seed.assign(32, '\0');
    randombytes_buf(seed.data(), seed.size());
    keys.created_ = true;
    if (!dir.empty()) WriteFileAtomic(dir + "/ssh_host_ed25519_key", seed);
  }
  keys.ed25519 = std::make_shared<Ed25519Key>(seed);
  sodium_memzero(seed.data(), seed.size());
  keys.ecdsa = PemKey<EcdsaKey>(dir, "ssh_host_ecdsa_key", GenEcdsa, &keys.created_);
  keys.rsa = PemKey<RsaKey>(dir, "ssh_host_rsa_key", GenRsa, &keys.created_);
  return keys;
}

const HostKey* HostKeys::For(std::string_view alg) const {
  if (alg == "ssh-ed25519") return ed25519.get();
  if (alg == "ecdsa-sha2-nistp256") return ecdsa.get();
  if (alg == "rsa-sha2-512" || alg == "rsa-sha2-256" || alg == "ssh-rsa") return rsa.get();
  return nullptr;
}

std::string Sha256Fingerprint(std::string_view blob) {
  const std::string h = Hash(HashAlg::kSha256, blob);
  char b64[64];
  sodium_bin2base64(b64, sizeof b64, reinterpret_cast<const uint8_t*>(h.data()), h.size(),
                    sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
  return std::string("SHA256:") + b64;
}

std::string DeriveKey(HashAlg alg, std::string_view k, std::string_view h, char letter,
                      std::string_view session_id, size_t len) {
  std::string in(k);
  in.append(h);
  in.push_back(letter);
  in.append(session_id);
  std::string out = Hash(alg, in);
  while (out.size() < len) {
    std::string more(k);
    more.append(h);
    more.append(out);
    out.append(Hash(alg, more));
  }
  out.resize(len);
  return out;
}

}  // namespace decnet::services::ssh
