// The fleet as the API sees it: one entry per worker, fed by system.<name>.health heartbeats.
// A worker is "ok" when its last heartbeat is at most stale_after_s old, "stale" when older, "unknown" when
// it is expected (known list) but never heard from. Bounded: at most max_workers entries (new names beyond
// that are dropped and counted) and pss_history_len samples per worker.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

namespace decnet::api {

class WorkerRegistry {
 public:
  struct Entry {
    double last_seen = 0;  // epoch seconds (our clock), 0: never
    int64_t pid = 0;
    int64_t pss_kib = 0;
    std::string health_json = "null";
    std::deque<std::pair<double, int64_t>> pss_history;  // (epoch s, pss KiB)
  };

  WorkerRegistry(std::vector<std::string> known, size_t max_workers = 128, size_t pss_history_len = 120,
                 double stale_after_s = 90);

  // Records one heartbeat (payload JSON of system.<name>.health) received at `now`.
  void OnHealth(const std::string& name, const std::string& payload_json, double now);
  // {"workers":[...], "fleet_pss_kib": N, "fleet_history": [[t, kib], ...], "stale_after_s": 90}
  std::string ToJson(double now) const;
  // Appends the sum of the latest PSS of the workers that are ok to the fleet history.
  void SampleFleet(double now);
  uint64_t dropped() const { return dropped_; }
  bool Known(const std::string& name) const { return entries_.count(name) > 0; }

 private:
  const char* StatusOf(const Entry& e, double now) const;
  std::map<std::string, Entry> entries_;
  std::deque<std::pair<double, int64_t>> fleet_history_;
  size_t max_workers_, history_len_;
  double stale_after_s_;
  uint64_t dropped_ = 0;
};

}  // namespace decnet::api
