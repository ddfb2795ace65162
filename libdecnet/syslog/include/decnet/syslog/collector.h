// The collector's per-record logic, without I/O: the ingest filter (drop-list of noisy apps, rate
// limit of connection-lifecycle events) and the per-attacker session aggregator. The
// decnet-collector worker (bin/decnet-collector) wires these between its inputs and its outputs;
// they are here so they can be tested without sockets. Everything is bounded and counts what its
// bound dropped. Single-threaded.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "decnet/syslog/decnet.h"

namespace decnet::syslog {

struct IngestFilterOptions {
  // APP-NAMEs whose records never reach the .json file or the bus (the .log keeps them).
  std::vector<std::string> drop_apps = {"sshd", "pam_unix", "sudo",   "su",       "CRON",
                                        "cron", "systemd",  "kernel", "rsyslogd", "dbus-daemon"};
  // Event types rate-limited per (attacker_ip, decky, service, event_type): at most one per window.
  std::vector<std::string> rate_limited_events = {"connect", "disconnect", "connection", "accept",
                                                  "close"};
  double window_s = 1.0;    // 0 disables the rate limit
  size_t max_keys = 10000;  // bound of the rate-limit map
  // The window is measured on the event's own timestamp when it is sane: not older than
  // event_max_age_s and not ahead of the arrival clock by more than event_max_skew_s. So a backlog
  // replayed in a burst (a forwarder catching up, a restart) keeps its real events; an event
  // without a sane time falls back to its arrival time (issue 14, finding 12).
  double event_max_age_s = 7 * 86400;
  double event_max_skew_s = 300;
};

struct IngestFilterStats {
  uint64_t dropped_apps = 0;
  uint64_t rate_limited = 0;               // every record the limiter dropped (both clocks)
  uint64_t rate_limited_event_time = 0;    // ... of them judged on their own timestamp
  uint64_t rate_limited_arrival_time = 0;  // ... of them judged on arrival (no sane timestamp)
  uint64_t arrival_clock = 0;  // limited-type records whose own time was absent or not sane
  uint64_t evicted_keys = 0;   // rate-limit entries removed because the map was full
};

class IngestFilter {
 public:
  explicit IngestFilter(IngestFilterOptions opts);
  // True when `r` goes to the .json file and the bus. `now_s` is the arrival time, wall clock
  // (UTC epoch seconds), the clock the records' own timestamps are compared with. The key is
  // (attacker_ip, decky, service, event_type): attacker_ip is a parsed address or "Unknown", and
  // the others are bounded by the syslog header, so a key is at most ~380 bytes whatever the
  // message says (a verbatim non-address token once made keys of 15.8 KB; issue 14, finding 11).
  bool Admit(const DecnetRecord& r, double now_s);
  const IngestFilterStats& stats() const { return stats_; }
  size_t keys() const { return last_.size(); }

 private:
  IngestFilterOptions opts_;
  std::unordered_set<std::string> drop_;
  std::unordered_set<std::string> limited_;
  std::unordered_map<std::string, double> last_;
  std::string key_;
  double next_sweep_s_ = 0;
  IngestFilterStats stats_;
};

struct SessionAggregatorOptions {
  double ttl_s = 3600;    // commands older than this (by event time) are forgotten
  size_t max_ips = 4096;  // attacker IPs indexed at once; the least recently seen is evicted
  size_t max_commands_per_ip = 256;  // the oldest command of an IP is dropped beyond this
  // One budget for everything indexed (texts, names, per-IP overhead): counts alone let 4,096 IPs ×
  // 256 commands of 15.8 KB grow the collector by 300 MB (issue 14, finding 11). Over budget, the
  // least recently seen IPs go first.
  size_t max_bytes = 4 << 20;
  size_t max_command_bytes = 512;  // command text kept per command (as the profiler keeps it)
};

struct SessionAggregatorStats {
  uint64_t commands_indexed = 0;
  uint64_t sessions_published = 0;
  uint64_t evicted_ips = 0;
  uint64_t dropped_commands = 0;    // by the per-IP bound, the TTL or the byte budget
  uint64_t truncated_commands = 0;  // texts cut at max_command_bytes
  uint64_t evicted_for_bytes = 0;   // IPs (or commands) removed by the byte budget
};

// Indexes shell `command` events per attacker IP and, when a `session_recorded` event arrives,
// publishes attacker.session.ended with the commands of that IP inside [ended_at - duration_s,
// ended_at]:
//   {"session_id": sid|null, "attacker_ip", "decky_id", "service", "duration_s", "started_at",
//    "ended_at", "commands": [{"id": "<sid>#<n>" | "<ip>-<YYYY-MM-DDTHH:MM:SS>#<n>",
//    "command_text", "timestamp", "decky", "service"}]}
// Records with attacker_ip "Unknown" or without a parsed timestamp are ignored.
class SessionAggregator {
 public:
  using PublishFn = std::function<void(std::string_view topic, std::string_view type,
                                       const std::string& payload_json)>;
  SessionAggregator(SessionAggregatorOptions opts, PublishFn publish);
  void Add(const DecnetRecord& r);
  const SessionAggregatorStats& stats() const { return stats_; }
  size_t ips() const { return by_ip_.size(); }
  size_t commands(const std::string& ip) const;
  size_t bytes() const { return bytes_; }  // what the budget counts (<= max_bytes after Add)

 private:
  struct Command {
    int64_t time_us;
    std::string text, decky, service;
  };
  struct Entry {
    std::deque<Command> cmds;
    uint64_t last_touch = 0;
  };
  void Expire(Entry& e, int64_t now_us);
  void EvictOneIp(const Entry* keep = nullptr);
  void Publish(const DecnetRecord& r);
  void PopFront(Entry& e);
  static size_t CommandBytes(const Command& c);
  static size_t EntryBytes(const std::string& ip);
  size_t bytes_ = 0;

  SessionAggregatorOptions opts_;
  PublishFn publish_;
  std::unordered_map<std::string, Entry> by_ip_;
  uint64_t touch_ = 0;
  SessionAggregatorStats stats_;
};

}  // namespace decnet::syslog
