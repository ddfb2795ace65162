// Percent-decoding and query-string helpers. Inputs are attacker bytes; outputs are bounded by
// inputs.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "decnet/core/text.h"

namespace decnet::http {

// Decodes %XX escapes (and '+' as space when plus_is_space). Returns nullopt for a malformed escape
// or a decoded NUL byte (never valid in a path or a parameter we use).
std::optional<std::string> PercentDecode(std::string_view in, bool plus_is_space);

// Finds parameter `name` in a raw query string "a=1&b=2"; returns its decoded value, nullopt if
// absent or undecodable. A parameter without '=' has the empty value.
std::optional<std::string> QueryParam(std::string_view query, std::string_view name);

// Percent-encodes everything except unreserved characters (RFC 3986); one copy, in core.
using ::decnet::PercentEncode;

}  // namespace decnet::http
