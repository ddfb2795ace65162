#include <optional>
#include <sodium.h>

#include "decnet/core/json.h"
#include "decnet/http/auth.h"

namespace decnet::http {
namespace {

constexpr char kB64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"JWT"})";

std::string B64UrlEncode(std::string_view in) {
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += kB64Url[v >> 18];
    out += kB64Url[(v >> 12) & 63];
    out += kB64Url[(v >> 6) & 63];
    out += kB64Url[v & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += kB64Url[v >> 18];
    out += kB64Url[(v >> 12) & 63];
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += kB64Url[v >> 18];
    out += kB64Url[(v >> 12) & 63];
    out += kB64Url[(v >> 6) & 63];
  }
  return out;
}

std::optional<std::string> B64UrlDecode(std::string_view in) {
  if (in.size() % 4 == 1) return std::nullopt;
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '-') v = 62;
    else if (c == '_') v = 63;
    else return std::nullopt;
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

// HMAC-SHA256 (RFC 2104) with libsodium's implementation, which takes keys of any length. libsodium is
// already mapped for Argon2id; using it here keeps libcrypto (~2 MiB of mapped text) out of the API.
std::string HmacSha256(std::string_view key, std::string_view data) {
  crypto_auth_hmacsha256_state st;
  unsigned char md[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  crypto_auth_hmacsha256_final(&st, md);
  sodium_memzero(&st, sizeof st);
  return std::string(reinterpret_cast<char*>(md), sizeof md);
}

}  // namespace

std::string SignJwt(const JwtClaims& c, std::string_view secret) {
  json::JsonWriter w;
  w.Str("sub", c.sub).Str("username", c.username).Str("role", c.role).Str("jti", c.jti);
  w.Int("ver", c.ver).Int("iat", c.iat).Int("exp", c.exp);
  w.Bool("must_change_password", c.must_change_password);
  std::string signing_input = B64UrlEncode(kHeader) + "." + B64UrlEncode(w.Finish());
  return signing_input + "." + B64UrlEncode(HmacSha256(secret, signing_input));
}

Result<JwtClaims> VerifyJwt(std::string_view token, std::string_view secret, int64_t now) {
  if (token.size() > 4096) return MakeError(Errc::kInvalidArgument, "token too long");
  size_t d1 = token.find('.');
  size_t d2 = d1 == token.npos ? token.npos : token.find('.', d1 + 1);
  if (d2 == token.npos || token.find('.', d2 + 1) != token.npos) {
    return MakeError(Errc::kInvalidArgument, "malformed token");
  }
  std::string_view signing_input = token.substr(0, d2);
  auto sig = B64UrlDecode(token.substr(d2 + 1));
  if (!sig || !ConstantTimeEquals(*sig, HmacSha256(secret, signing_input))) {
    return MakeError(Errc::kInvalidArgument, "bad token signature");
  }
  // Signature is good: the header and payload were written by us, but check the algorithm anyway.
  auto header = B64UrlDecode(token.substr(0, d1));
  rapidjson::Document hdoc;
  if (!header || !json::ParseObject(*header, hdoc) || json::GetString(hdoc, "alg") != "HS256") {
    return MakeError(Errc::kInvalidArgument, "unsupported token algorithm");
  }
  auto payload = B64UrlDecode(token.substr(d1 + 1, d2 - d1 - 1));
  rapidjson::Document doc;
  if (!payload || !json::ParseObject(*payload, doc)) return MakeError(Errc::kInvalidArgument, "malformed token payload");
  JwtClaims c;
  c.sub = std::string(json::GetString(doc, "sub"));
  c.username = std::string(json::GetString(doc, "username"));
  c.role = std::string(json::GetString(doc, "role"));
  c.jti = std::string(json::GetString(doc, "jti"));
  c.ver = json::GetInt(doc, "ver");
  c.iat = json::GetInt(doc, "iat");
  c.exp = json::GetInt(doc, "exp");
  c.must_change_password = doc.HasMember("must_change_password") && doc["must_change_password"].IsBool() &&
                           doc["must_change_password"].GetBool();
  if (c.exp <= now) return MakeError(Errc::kInvalidArgument, "token expired");
  if (c.sub.empty()) return MakeError(Errc::kInvalidArgument, "token without subject");
  return c;
}

}  // namespace decnet::http
