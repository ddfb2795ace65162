// The DECNET dialect of RFC 5424 (DESIGN.md §5) and the JSON record the collector writes.
//
//   <PRI>1 TIMESTAMP DECKY SERVICE - EVENT_TYPE [relay@55555 k="v" ...] msg
//
// THE JSON RECORD (one object per line in <ingest>.json; the ingester reads it, field for field the
// Python collector's parse_rfc5424() output, keys in this order):
//   "timestamp"   "YYYY-MM-DD HH:MM:SS" in UTC (the raw TIMESTAMP text when it cannot be parsed)
//   "decky"       HOSTNAME ("-" when NIL)
//   "service"     APP-NAME
//   "event_type"  MSGID ("-" when NIL; "command" for shell `CMD ...` lines, see below)
//   "attacker_ip" see the rules below; the string "Unknown" when none was found
//   "fields"      object of the relay@55555 SD-PARAMs, unescaped, string values (duplicate names:
//   the
//                 last value wins, at the first name's position); {} when there is no such element
//   "msg"         MSG, trimmed, without BOM
//   "raw_line"    the line as received (trailing whitespace removed)
// Then, only when set (fields the original did not have; issue 14, finding 10):
//   "attacker_ip_raw"  a non-address value found where an address was expected (see rule 2)
//   "sender"      who delivered the line, as the collector saw it: "udp:IP:PORT", "tcp:IP:PORT",
//                 "unix:pid=N" (SCM_CREDENTIALS), "unix" (no credentials), "docker"
//   "attribution" "attested" when the decky was named by the kernel (the sender's network
//                 namespace is a fleet decky's), else "claimed" (the decky is the HOSTNAME it wrote)
//   "claimed_decky"  the HOSTNAME, when it differs from the attested decky
// Differences from the original (fixed bugs): the timestamp is converted to UTC (the original
// printed the sender's wall time), an escaped `\]` inside a value no longer ends the SD element,
// IPv6 addresses are kept whole, and RFC 3164 lines are accepted (decky = HOSTNAME or "-", service
// = TAG, event_type "-").
//
// Rules, in order:
//  1. Double-wrapped lines: when the outer MSGID and SD are both NIL and MSG (left-trimmed) starts
//  with a
//     second RFC 5424 header without PRI ("YYYY-MM-DDT... HOST APP PROCID MSGID rest"), one level
//     is unwrapped: decky/service/event_type/SD/msg come from the inner header (the Docker-stdout
//     envelope around `logger --rfc5424` inside the SSH decky). The outer timestamp is kept.
//  2. attacker_ip: the first present of src_ip, src, client_ip, remote_ip, remote_addr, target_ip,
//  ip in
//     the relay@55555 params; else the first `key=value` token in MSG whose key is one of those
//     names; else an address after `from`, `rhost=`/`rhost:`, `client=`/`client:`, `src=`/`src:`
//     (case-blind); else the first bare IPv4 in MSG. Addresses are validated (inet_pton) and
//     normalised:
//     "[2001:db8::1]:22" and "[2001:db8::1]" -> "2001:db8::1", "10.0.0.1:22" -> "10.0.0.1"; a bare
//     IPv6 is never split at a colon. A value that is not an address is never the attacker_ip
//     (the original kept it verbatim, so any text became a rate-limit and profile key): the first
//     such value goes to "attacker_ip_raw" (at most 256 bytes) and the search goes on.
//  3. event_type "-" with MSG starting "CMD " becomes "command". For every "command" event
//  `command` holds
//     fields["command"] if present, else the text after the first " cmd=" in MSG (to the end).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "decnet/core/result.h"
#include "decnet/syslog/message.h"

namespace decnet::syslog {

inline constexpr std::string_view kDecnetSdId = "relay@55555";

struct DecnetRecord {
  int severity = 0;
  bool has_time = false;
  int64_t time_us = 0;    // UTC µs, valid when has_time
  std::string timestamp;  // JSON form, see above
  std::string_view decky, service, event_type;
  std::string attacker_ip;  // "Unknown" when none; otherwise always a valid IP address
  std::string attacker_ip_raw;  // rule 2: a non-address value seen where an address was expected
  // Set by the collector, not by Parse (see the JSON record): empty = absent.
  std::string_view sender, attribution, claimed_decky;
  std::vector<std::pair<std::string_view, std::string_view>> fields;
  std::string_view msg;
  std::string_view raw_line;
  std::string_view command;  // for event_type "command" (may be empty)
  bool unwrapped = false;    // rule 1 applied

  std::string_view Field(std::string_view name) const;  // "" when absent
};

// Parses DECNET lines. Reuse one parser: it keeps the scratch messages warm. Views in the record
// point into `line` or into the parser, valid until the next Parse() or until `line` is freed.
class DecnetParser {
 public:
  explicit DecnetParser(ParseOptions opts = {}) : opts_(opts) {}
  // `line` should already have its trailing CR/LF removed (see TrimLine()).
  Status Parse(std::string_view line, DecnetRecord* out);
  // The underlying messages of the last Parse (inner is meaningful when out->unwrapped).
  const Message& outer() const { return outer_; }

 private:
  ParseOptions opts_;
  Message outer_, inner_;
};

// Appends the JSON record (no newline) to `out`.
void AppendJsonRecord(std::string* out, const DecnetRecord& r);

// Attacker-IP rules 2 (on fields and msg), exposed for tests and other workers.
// `raw`, when given, receives the first non-address value of an address field (capped at 256 B).
std::string ExtractAttackerIp(
    const std::vector<std::pair<std::string_view, std::string_view>>& fields, std::string_view msg,
    std::string* raw = nullptr);
// Normalises an address token (see rule 2); returns false when `token` holds no valid IP.
bool NormalizeIp(std::string_view token, std::string* out);

// Removes trailing whitespace, CR, LF and NUL.
std::string_view TrimLine(std::string_view line);

}  // namespace decnet::syslog
