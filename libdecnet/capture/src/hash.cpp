#include "decnet/capture/hash.h"

#include <openssl/evp.h>

namespace decnet::capture {
namespace {

// Fetched once: OpenSSL 3 re-fetches the implementation on every use of EVP_md5()/EVP_sha256().
const EVP_MD* Md5() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "MD5", nullptr);
  return md ? md : EVP_md5();
}
const EVP_MD* Sha256() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md ? md : EVP_sha256();
}

// One context reused for every digest: EVP_Digest() allocates, initialises and frees a context per
// call, which cost more than hashing a ClientHello's few hundred bytes (the analyzer is single-threaded).
EVP_MD_CTX* Context() {
  static EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  return ctx;
}

// Lowercase hex of the first `hex_chars` characters of the digest of `data`.
std::string Digest(const EVP_MD* md, std::string_view data, size_t hex_chars) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_MD_CTX* c = Context();
  if (!c || EVP_DigestInit_ex(c, md, nullptr) != 1 ||
      EVP_DigestUpdate(c, data.data(), data.size()) != 1 || EVP_DigestFinal_ex(c, out, &n) != 1) {
    EVP_Digest(data.data(), data.size(), out, &n, md, nullptr);
  }
  static const char kHex[] = "0123456789abcdef";
  if (hex_chars > size_t(n) * 2) hex_chars = size_t(n) * 2;
  std::string hex(hex_chars, '0');
  for (size_t i = 0; i < hex_chars; ++i) {
    const unsigned char b = out[i / 2];
    hex[i] = kHex[(i & 1) ? (b & 15) : (b >> 4)];
  }
  return hex;
}

}  // namespace

std::string Md5Hex(std::string_view data) { return Digest(Md5(), data, 32); }
std::string Sha256Hex(std::string_view data) { return Digest(Sha256(), data, 64); }
std::string Sha256Hex12(std::string_view data) {
  if (data.empty()) return "000000000000";
  return Digest(Sha256(), data, 12);
}

}  // namespace decnet::capture
