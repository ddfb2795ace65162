// Query-parameter validation and formatting for the API. Every parser returns a Result whose error message
// is what the client sees in the 400 body, naming the parameter.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "decnet/core/result.h"
#include "decnet/http/request.h"

namespace decnet::api {

// Fails naming the first parameter of `req` not in `allowed` (typos must not silently mean "no filter").
Status CheckKnownParams(const http::Request& req, std::initializer_list<std::string_view> allowed);

// Integer in [min, max]; `def` when absent.
Result<int64_t> IntParam(const http::Request& req, std::string_view name, int64_t def, int64_t min, int64_t max);
// Epoch seconds (integer or fraction) or ISO 8601 UTC "YYYY-MM-DDTHH:MM:SS[.ffffff][Z]"; returns microseconds,
// 0 when absent.
Result<int64_t> TimeParam(const http::Request& req, std::string_view name);
// An IPv4 or IPv6 address in canonical form; "" when absent.
Result<std::string> IpParam(const http::Request& req, std::string_view name);
// Printable text up to max_len bytes (no control characters); "" when absent.
Result<std::string> TextParam(const http::Request& req, std::string_view name, size_t max_len);
// One of `choices`; `def` when absent.
Result<std::string> ChoiceParam(const http::Request& req, std::string_view name,
                                std::initializer_list<std::string_view> choices, std::string_view def);

// True when `s` is a valid IPv4/IPv6 literal.
bool IsIp(std::string_view s);
// "2026-11-24T14:00:00.123456Z" from microseconds since the epoch.
std::string IsoTime(int64_t us);
// Parses ISO 8601 UTC (as above) into microseconds.
std::optional<int64_t> ParseIsoTime(std::string_view s);

}  // namespace decnet::api
