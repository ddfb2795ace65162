// RFC 5424 syslog messages: the parsed form and the parser.
//
//   <PRI>VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP STRUCTURED-DATA [SP
//   MSG]
//
// Strict mode enforces what RFC 5424 requires (PRI 0..191, VERSION 1, one SP between fields, the
// field length limits, a TIMESTAMP with a time zone, a well-formed SD, UTF-8 after a BOM). Lenient
// mode still extracts what it can from the lines real daemons send: RFC 3164 lines (`<13>Nov 24
// 14:00:00 host tag[pid]: msg`), a missing STRUCTURED-DATA (MSG right after MSGID), a malformed SD
// (kept in MSG), naive timestamps (read as UTC), runs of spaces between header fields, over-long
// header fields. A line without a PRI is rejected in both modes.
//
// All string_views point into the parsed line, except SD-PARAM values that contained escapes, which
// point into the Message's own storage. A Message is therefore valid until the line is freed or the
// Message is reused. Reusing one Message across lines keeps its allocations (the parser's hot path
// allocates nothing once warm).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "decnet/core/result.h"

namespace decnet::syslog {

inline constexpr std::string_view kNil = "-";
inline constexpr size_t kMaxHostname = 255;
inline constexpr size_t kMaxAppName = 48;
inline constexpr size_t kMaxProcId = 128;
inline constexpr size_t kMaxMsgId = 32;
inline constexpr size_t kMaxSdName = 32;

enum class ParseMode { kStrict, kLenient };
enum class WireFormat { kRfc5424, kRfc3164 };

struct SdParam {
  std::string_view name;
  std::string_view value;  // unescaped
};

struct SdElement {
  std::string_view id;
  uint32_t first_param = 0;  // index into Message::params
  uint32_t param_count = 0;
};

struct Message {
  WireFormat format = WireFormat::kRfc5424;
  int facility = 0;
  int severity = 0;
  // Header fields as they appear on the wire; "-" (kNil) when the sender gave NILVALUE.
  std::string_view timestamp;
  std::string_view hostname;
  std::string_view app_name;
  std::string_view procid;
  std::string_view msgid;
  // TIMESTAMP converted to UTC, microseconds since the epoch; valid when has_time.
  bool has_time = false;
  int64_t time_us = 0;
  std::vector<SdElement> sd;
  std::vector<SdParam> params;
  uint32_t sd_params_dropped = 0;  // params beyond ParseOptions::max_sd_params (lenient only)
  bool sd_malformed = false;       // lenient: the SD could not be parsed and was left in msg
  std::string_view msg;            // without the BOM
  bool msg_has_bom = false;

  // First SD element with this SD-ID, or nullptr.
  const SdElement* FindElement(std::string_view id) const;
  void Clear();

  std::string storage_;  // unescaped SD values; reserved to the line size so views stay valid
};

struct ParseOptions {
  ParseMode mode = ParseMode::kLenient;
  uint32_t max_sd_elements = 32;
  uint32_t max_sd_params = 128;
  // RFC 3164 timestamps carry no year: the year is taken from this time (µs since the epoch; 0 =
  // now) and moved back one year when that would put the message more than a day in the future.
  int64_t now_us = 0;
};

// Parses one message (no framing, no trailing newline expected; a trailing CR/LF is not stripped).
// Errors are kInvalidArgument (the line is not syslog in the chosen mode) or kLimit (strict: too
// many SD elements/params). `out` is cleared first and is meaningful only on success.
Status Parse(std::string_view line, Message* out, const ParseOptions& opts = {});

// Parses the part of an RFC 5424 line after "<PRI>1 " (TIMESTAMP onward) into `out`, keeping out's
// facility/severity. Used to unwrap a second RFC 5424 header found inside a MSG.
Status ParseAfterVersion(std::string_view rest, Message* out, const ParseOptions& opts = {});

// RFC 3339 / RFC 5424 TIMESTAMP to UTC microseconds. `allow_naive` accepts a missing offset (UTC).
// Fractions longer than 6 digits are accepted only when `allow_naive` (lenient) and are truncated.
bool ParseRfc3339(std::string_view text, bool allow_naive, int64_t* time_us);

}  // namespace decnet::syslog
