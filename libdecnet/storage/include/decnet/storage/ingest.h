// Decoding one line of <ingest>.json (written by the collector, the sniffer and the prober) into
// the rows the ingester stores: the `logs` row, the `bounty` finds (fingerprints, prober results)
// and the `credentials` it carries. Lines are attacker-influenced: every bound is explicit, nothing
// recurses on input depth, and a bad line is a RejectReason, never a crash.
//
// Record shape (DESIGN.md §5, as the Python collector writes it):
//   {"timestamp": "2026-11-24T10:00:00.123456+00:00", "decky": "...", "service": "...",
//    "event_type": "...", "attacker_ip": "...", "fields": {...}, "msg": "...", "raw_line": "..."}
// timestamp, decky, service and event_type are required strings (timestamp may also be epoch
// seconds); the rest default to empty.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "decnet/storage/rows.h"

namespace decnet::storage {

struct IngestLimits {
  size_t max_line_bytes = 256 * 1024;  // a longer line is rejected unread
  int max_depth = 16;                  // JSON nesting
};

enum class RejectReason {
  kNone = 0,
  kTooLong,
  kInvalidUtf8,
  kInvalidJson,  // includes nesting deeper than max_depth
  kNotObject,
  kMissingField,
  kBadTimestamp,
};
inline constexpr int kRejectReasonCount = 7;
const char* RejectReasonName(RejectReason r);

struct IngestRecord {
  LogRow log;
  std::vector<BountyRow> bounties;
  std::vector<CredentialRow> credentials;
  void Clear() {
    bounties.clear();
    credentials.clear();
  }
};

// Decodes `line` (without its trailing newline) into *out (overwritten). kNone on success.
RejectReason DecodeIngestLine(std::string_view line, const IngestLimits& limits, IngestRecord* out);

// Parses "YYYY-MM-DD[T ]HH:MM:SS[.frac][Z|+HH:MM|-HH:MM|+HHMM]" to epoch microseconds (UTC). False
// when it is not that shape or out of range.
bool ParseIsoTimestamp(std::string_view s, int64_t* us);

}  // namespace decnet::storage
