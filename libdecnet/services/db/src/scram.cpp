#include "scram.h"

#include <sodium.h>

#include "decnet/core/text.h"

namespace decnet::services::db::scram {

std::string Hmac(std::string_view key, std::string_view msg) {
  crypto_auth_hmacsha256_state st;
  unsigned char out[32];
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(msg.data()),
                                msg.size());
  crypto_auth_hmacsha256_final(&st, out);
  return std::string(reinterpret_cast<char*>(out), 32);
}

std::string Sha256(std::string_view s) {
  unsigned char out[32];
  crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(s.data()), s.size());
  return std::string(reinterpret_cast<char*>(out), 32);
}

std::string Xor(std::string a, std::string_view b) {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) a[i] = static_cast<char>(a[i] ^ b[i]);
  return a;
}

std::string SaltedPassword(std::string_view password, std::string_view salt, uint32_t iterations) {
  std::string u = Hmac(password, std::string(salt) + std::string("\0\0\0\1", 4));
  std::string out = u;
  for (uint32_t i = 1; i < iterations; ++i) out = Xor(out, u = Hmac(password, u));
  return out;
}

std::string B64(std::string_view bin) { return Base64Encode(bin); }

bool UnB64(std::string_view text, std::string* out) {
  out->assign(text.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out->data()), out->size(), text.data(),
                        text.size(), nullptr, &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0)
    return false;
  out->resize(len);
  return true;
}

}  // namespace decnet::services::db::scram
