// The SCRAM-SHA-256 primitives (RFC 5802 / 7677) that postgres and mongodb both check logins and
// keep offline-attackable proofs with: libsodium's HMAC-SHA-256 and SHA-256, binary strings in and
// out.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace decnet::services::db::scram {

std::string Hmac(std::string_view key, std::string_view msg);
std::string Sha256(std::string_view s);
// `a` with each of its bytes XORed with the byte of `b` at the same place (as far as `b` goes).
std::string Xor(std::string a, std::string_view b);
// Hi(): PBKDF2-HMAC-SHA-256, one block (the salted password).
std::string SaltedPassword(std::string_view password, std::string_view salt, uint32_t iterations);
// Padded RFC 4648 base64, as SCRAM attributes carry it; UnB64 requires the padding.
std::string B64(std::string_view bin);
bool UnB64(std::string_view text, std::string* out);

}  // namespace decnet::services::db::scram
