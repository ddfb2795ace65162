// Digests through libcrypto (EVP), lowercase hex.
#pragma once

#include <string>
#include <string_view>

namespace decnet::capture {

std::string Md5Hex(std::string_view data);
std::string Sha256Hex(std::string_view data);
// The first 12 hex characters of SHA-256, as JA4 uses; "000000000000" for empty input.
std::string Sha256Hex12(std::string_view data);

}  // namespace decnet::capture
