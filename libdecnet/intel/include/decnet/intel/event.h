// The engine's input: one parsed DECNET log event. Views only; the caller owns the bytes for the
// duration of Engine::Ingest (the engine copies what it keeps, within its bounds).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace decnet::intel {

struct Field {
  std::string_view key;
  std::string_view value;
};

struct Event {
  int64_t log_id = 0;             // the logs row id (0 when not from the DB)
  double ts = 0;                  // epoch seconds (UTC)
  std::string_view decky;         // RFC 5424 HOSTNAME
  std::string_view service;       // APP-NAME
  std::string_view event_type;    // MSGID
  std::string_view attacker_ip;   // empty: the event has no attacker (skipped)
  std::span<const Field> fields;  // SD-PARAMs, in line order

  // The first value of `key`, or empty.
  std::string_view Get(std::string_view key) const {
    for (const Field& f : fields) {
      if (f.key == key) return f.value;
    }
    return {};
  }
  bool Has(std::string_view key) const {
    for (const Field& f : fields) {
      if (f.key == key) return true;
    }
    return false;
  }
};

}  // namespace decnet::intel
