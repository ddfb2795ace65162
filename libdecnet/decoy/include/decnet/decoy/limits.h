// The bounds a decky puts on what attackers control, and the counters of what each bound refused.
// Every bound is a config key of decnet-decky; every counter is in its health event.
#pragma once

#include <cstddef>
#include <cstdint>

namespace decnet::decoy {

struct Limits {
  size_t max_connections = 512;         // open TCP connections per decky
  size_t max_connections_per_ip = 32;   // open TCP connections per source address
  size_t max_output_bytes = 256 << 10;  // queued for one peer; more closes the connection
  size_t max_line_bytes = 8192;         // text protocols: longer lines are answered as errors
  size_t max_field_bytes = 2048;        // one logged field value; longer ones are cut (marked)
  uint64_t idle_timeout_ms = 180000;    // no input for this long closes the connection
  uint64_t max_session_ms = 3600000;    // hard cap on one connection's life
  size_t max_artifact_bytes = 8 << 20;  // one stored upload; the rest is counted, not kept
  size_t max_artifacts_total = 256 << 20;  // all stored uploads of this decky
  size_t max_udp_peers = 1024;          // UDP conversations (e.g. TFTP transfers) at once
};

struct Counters {
  uint64_t accepted = 0;
  uint64_t refused_decky_cap = 0;   // max_connections
  uint64_t refused_ip_cap = 0;      // max_connections_per_ip
  uint64_t closed_idle = 0;
  uint64_t closed_duration = 0;
  uint64_t closed_output_limit = 0;
  uint64_t lines_too_long = 0;      // max_line_bytes (services count these)
  uint64_t fields_truncated = 0;    // max_field_bytes
  uint64_t malformed = 0;           // protocol errors answered or closed (services count these)
  uint64_t datagrams = 0;
  uint64_t datagrams_refused = 0;   // max_udp_peers or send failures
  uint64_t events = 0;
  uint64_t events_dropped = 0;      // the log sink was away and its queue full
  uint64_t artifacts = 0;
  uint64_t artifact_bytes = 0;
  uint64_t artifact_bytes_dropped = 0;  // over max_artifact_bytes / max_artifacts_total
};

}  // namespace decnet::decoy
