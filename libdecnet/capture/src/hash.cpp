#include "decnet/capture/hash.h"

#include <openssl/evp.h>

namespace decnet::capture {
namespace {

std::string Digest(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), out, &n, md, nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string hex(size_t(n) * 2, '0');
  for (unsigned i = 0; i < n; ++i) {
    hex[2 * i] = kHex[out[i] >> 4];
    hex[2 * i + 1] = kHex[out[i] & 15];
  }
  return hex;
}

// Fetched once: OpenSSL 3 re-fetches the implementation on every use of EVP_md5()/EVP_sha256().
const EVP_MD* Md5() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "MD5", nullptr);
  return md ? md : EVP_md5();
}
const EVP_MD* Sha256() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md ? md : EVP_sha256();
}

}  // namespace

std::string Md5Hex(std::string_view data) { return Digest(Md5(), data); }
std::string Sha256Hex(std::string_view data) { return Digest(Sha256(), data); }
std::string Sha256Hex12(std::string_view data) {
  if (data.empty()) return "000000000000";
  return Sha256Hex(data).substr(0, 12);
}

}  // namespace decnet::capture
