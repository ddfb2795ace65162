// Small text helpers shared by the parsers (syslog lines, ingest lines) and the HTTP code: UTF-8
// validation, percent-encoding, fixed-width decimal fields, and the calendar arithmetic a timestamp
// needs. No locale, no libc time functions (they read the TZ database).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace decnet {

// True when `s` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, <= U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Percent-encodes every byte except the RFC 3986 unreserved characters (ALPHA DIGIT - . _ ~), for
// a URL path segment or a query value.
std::string PercentEncode(std::string_view in);

// `s` with ASCII A-Z lowered; every other byte as it is (no locale: protocol keywords, header names).
std::string AsciiLower(std::string_view s);

// RFC 4648 base64 with padding (the `secret_b64` field of the credential shape).
std::string Base64Encode(std::string_view bytes);
// Decodes padded or unpadded RFC 4648 base64; false (and *out cleared) on any other byte, on a bad
// length or on non-zero padding bits. Whitespace is not accepted.
bool Base64Decode(std::string_view text, std::string* out);

// Reads exactly `n` ASCII digits of `s` starting at `at` into *value. False (and *value untouched)
// when the field runs past the end of `s` or holds a non-digit. REQUIRES: n <= 9.
bool ParseDigits(std::string_view s, size_t at, size_t n, int* value);

// Days since 1970-01-01 of the proleptic Gregorian date y-m-d (H. Hinnant's days_from_civil).
// REQUIRES: 1 <= m <= 12, 1 <= d <= 31; no check that d exists in that month.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);

// 28..31: the length of month `m` (1..12) of year `y`, leap years included.
int DaysInMonth(int y, int m);

}  // namespace decnet
