// Typed rows of the DECNET database. No SQL leaves libdecnet/storage: callers exchange these structs.
//
// Conventions:
// - Times are int64 microseconds since the Unix epoch, UTC (`*_us`). Indexable, histogram-friendly, and
//   exact; the API formats them as ISO 8601 for clients.
// - Columns holding JSON are std::string containing one valid JSON value (object or array) written by us.
//   The repository stores them verbatim; it never parses them.
// - Auto-increment ids are int64; 0 means "not assigned yet".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace decnet::storage {

// One ingested event (table `logs`). raw_line is the original RFC 5424 line.
struct LogRow {
  int64_t id = 0;
  int64_t ts_us = 0;
  std::string decky;
  std::string service;
  std::string event_type;
  std::string attacker_ip;
  std::string raw_line;
  std::string fields = "{}";  // JSON object
  std::string msg;
};

// A find about an attacker (table `bounty`): a fingerprint (bounty_type "fingerprint" with payload
// {"fingerprint_type": "ja3", ...}), a credential, a prober result, ...
struct BountyRow {
  int64_t id = 0;
  int64_t ts_us = 0;
  std::string decky;
  std::string service;
  std::string attacker_ip;
  std::string bounty_type;
  std::string payload = "{}";  // JSON object
};

// A captured credential (table `credentials`). secret is the password, or the key/hash the client offered.
struct CredentialRow {
  int64_t id = 0;
  int64_t ts_us = 0;
  std::string attacker_ip;
  std::string decky;
  std::string service;
  std::string username;
  // The exact secret: the bytes themselves when secret_encoding is "utf8" (valid UTF-8, no NUL),
  // else their lowercase hex ("hex"). Compare (secret_encoding, secret), never secret alone.
  std::string secret;
  std::string secret_kind = "password";  // "password" | "key" | "hash"
  std::string secret_printable;          // as the decky logged it (non-printable bytes as '?')
  std::string secret_encoding = "utf8";  // "utf8" | "hex"
};

// One attacker profile (table `attackers`, keyed by ip; the profiler owns it).
struct AttackerRow {
  std::string ip;
  int64_t first_seen_us = 0;
  int64_t last_seen_us = 0;
  int64_t event_count = 0;
  std::string services = "[]";      // JSON array of service names
  std::string deckies = "[]";       // JSON array of decky names (first-contact order)
  std::string traversal = "null";   // JSON: the decky path when is_traversal, else null
  bool is_traversal = false;
  int64_t bounty_count = 0;
  int64_t credential_count = 0;
  std::string fingerprints = "[]";  // JSON array
  std::string commands = "[]";      // JSON array
  double score = 0;
  std::string score_reasons = "[]";  // JSON array
  int64_t updated_at_us = 0;
  // The profiler's restorable per-IP summary (JSON object); empty string is stored as NULL.
  std::string intel_state;
};

// Behavioural profile of one attacker (table `attacker_behavior`, keyed by ip; the profiler owns it).
struct AttackerBehaviorRow {
  std::string ip;
  std::string os_guess;
  int64_t hop_distance = -1;           // -1: unknown
  std::string tcp_fingerprint = "{}";  // JSON object
  int64_t retransmit_count = 0;
  std::string behavior_class;          // "beaconing" | "interactive" | "scanning" | ...
  double beacon_interval_s = -1;       // -1: none
  double beacon_jitter_pct = -1;       // -1: none
  std::string tool_guesses = "[]";     // JSON array
  std::string timing_stats = "{}";     // JSON object
  std::string phase_sequence = "{}";   // JSON object
  int64_t updated_at_us = 0;
};

// One credential (kind, username, secret) tried on several targets (table `credential_reuse`, unique on
// that triple). The aggregates are replaced on each upsert (idempotent), never accumulated.
struct CredentialReuseRow {
  int64_t id = 0;
  std::string username;
  std::string secret_kind = "plaintext";
  std::string secret;
  std::string secret_encoding = "utf8";  // of `secret`, see CredentialRow
  int64_t target_count = 0;         // distinct (decky, service)
  int64_t attempt_count = 0;        // credentials rows
  std::string attacker_ips = "[]";  // JSON array, sorted
  std::string deckies = "[]";       // JSON array, sorted
  std::string services = "[]";      // JSON array, sorted
  int64_t first_seen_us = 0;
  int64_t last_seen_us = 0;
  int64_t updated_at_us = 0;
};

struct UpsertOutcome {
  bool inserted = false;
  bool changed = false;  // inserted, or target_count / attacker_ips / deckies / services differ
};

// A dashboard/API user (table `users`, unique username).
struct UserRow {
  std::string uuid;
  std::string username;
  std::string password_hash;
  std::string role = "viewer";  // "admin" | "viewer"
  bool must_change_password = false;
  int64_t created_at_us = 0;
  // Every API token carries the version it was minted at; a token whose version is not this one is
  // refused. Bumped by logout, password and role changes (BumpTokenVersion, UpdatePasswordHash,
  // SetUserRole).
  int64_t token_version = 1;
};

// A deployed or planned topology (table `topologies`, id is a uuid/hex string chosen by the caller).
struct TopologyRow {
  std::string id;
  std::string name;
  std::string hash;           // content hash of json
  std::string json = "{}";    // the full topology document
  int64_t created_at_us = 0;
  std::string status;         // "pending" | "deploying" | "active" | "failed" | "torn_down" | ...
};

// One decky of a topology (table `deckies`, keyed by name).
struct DeckyRow {
  std::string name;
  std::string topology_id;
  std::string ip;
  std::string json = "{}";    // the decky's full config
  std::string state;          // "running" | "stopped" | "failed" | ...
  int64_t updated_at_us = 0;
};

// ---- Query shapes ---------------------------------------------------------------------------------

// Filters for logs. Empty strings / 0 mean "no filter". Results are newest first (id descending); page
// with before_id = the last id of the previous page (keyset, never OFFSET).
struct LogQuery {
  int64_t since_us = 0;      // ts_us >= since_us
  int64_t until_us = 0;      // ts_us < until_us (0: no upper bound)
  std::string attacker_ip;
  std::string decky;
  std::string service;
  std::string event_type;
  std::string search;        // substring in msg, raw_line or fields (case-sensitive, sees past NUL bytes; slow path)
  int64_t before_id = 0;     // only ids < before_id (0: from the newest)
  int limit = 100;           // clamped to [1, 1000]
};

struct LogPage {
  std::vector<LogRow> rows;
  int64_t next_before_id = 0;  // pass as before_id for the next page; 0 when this page was the last
};

// Events-over-time: count of logs per bucket of bucket_s seconds, over the LogQuery's filters
// (before_id and limit are ignored). Buckets with no events are omitted; ascending.
struct HistogramBucket {
  int64_t bucket_start_us = 0;
  int64_t count = 0;
};

enum class AttackerOrder { kLastSeen, kScore };

// Attackers, descending by the order key, then by ip descending. Keyset: pass the last row's key and ip.
struct AttackerQuery {
  AttackerOrder order = AttackerOrder::kLastSeen;
  std::optional<double> after_key;   // last_seen_us (as double) or score of the previous page's last row
  std::string after_ip;              // ip of the previous page's last row (tie-break)
  std::string search;                // substring of ip (empty: all)
  int limit = 100;                   // clamped to [1, 1000]
};

struct AttackerPage {
  std::vector<AttackerRow> rows;
  bool more = false;  // another page exists
};

struct KeyCount {
  std::string key;
  int64_t count = 0;
};

struct Stats {
  int64_t total_logs = 0;
  int64_t unique_attackers = 0;   // distinct attacker_ip in logs
  int64_t total_bounty = 0;
  int64_t total_credentials = 0;
  int64_t attackers = 0;          // rows in `attackers`
  int64_t deckies = 0;            // distinct decky in logs
};

}  // namespace decnet::storage
