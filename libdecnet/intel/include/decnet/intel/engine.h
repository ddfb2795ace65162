// The correlation engine: a bounded table of AttackerProfile, least-recently-seen eviction, and a
// seam (ProfileStore) to the DB that holds every profile's state.
//
// Invariant: a profile's truth is (stored state) + (events folded since). When an IP first appears
// in the table the engine loads its stored state; when the table is full the least recently seen
// profile is saved (if changed) and dropped. So the table bounds memory without losing history, and
// a restart (empty table, cursor from the DB) resumes exactly where the DB left off.
#pragma once

#include <absl/container/flat_hash_map.h>
#include <absl/strings/string_view.h>

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "decnet/core/result.h"
#include "decnet/intel/event.h"
#include "decnet/intel/profile.h"

namespace decnet::intel {

// Where profiles live between their stints in memory. Implemented over decnet::storage by the
// profiler worker, and in memory by tests.
class ProfileStore {
 public:
  virtual ~ProfileStore() = default;
  // The stored state JSON for `ip` (AttackerProfile::StateJson), nullopt when the IP is new.
  virtual Result<std::optional<std::string>> LoadState(std::string_view ip) = 0;
  // Persists `p` (its rows and its state). Called for evicted changed profiles and by Flush.
  virtual Status SaveProfile(const AttackerProfile& p) = 0;
};

struct EngineOptions {
  size_t max_ips = 10000;  // profiles held in memory
  ProfileLimits limits;
  double min_ts = 946684800;   // 2000-01-01: earlier timestamps are rejected as absurd
  double max_ts = 4102444800;  // 2100-01-01
  size_t max_ip_bytes = 64;    // longer "IPs" are rejected
};

struct EngineStats {
  uint64_t events = 0;    // folded into a profile
  uint64_t no_ip = 0;     // skipped: no attacker IP (empty, "-" or the collector's "Unknown")
  uint64_t rejected = 0;  // skipped: absurd timestamp, missing decky/service, oversized IP
  uint64_t first_sightings = 0;
  uint64_t loaded = 0;  // profiles reloaded from the store
  uint64_t evicted = 0;
  uint64_t store_errors = 0;  // LoadState/SaveProfile failures
};

enum class IngestOutcome { kFolded, kFirstSighting, kNoIp, kRejected, kStoreError };

class Engine {
 public:
  // `store` may be null (nothing persisted: pure in-memory use, benchmarks). Not owned.
  Engine(ProfileStore* store, EngineOptions opts);
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Folds one event into its IP's profile (loading or creating it, evicting another if full).
  IngestOutcome Ingest(const Event& e);

  // Calls `write` for every profile changed since the last flush (in most-recent-first order). A
  // profile is marked clean only when `write` succeeds; the first error stops the flush and is
  // returned.
  Status Flush(const std::function<Status(AttackerProfile&)>& write);

  // The IPs of the profiles Flush would write now (views valid until the next Ingest/Flush/Reset).
  std::vector<std::string_view> DirtyIps() const;

  // Drops every in-memory profile without saving (after a failed transaction: the DB is the truth).
  void Reset();

  const AttackerProfile* Find(std::string_view ip) const;
  size_t size() const { return index_.size(); }
  size_t dirty_count() const { return dirty_; }
  const EngineStats& stats() const { return stats_; }
  const EngineOptions& options() const { return opts_; }

 private:
  using Lru = std::list<AttackerProfile>;
  Result<AttackerProfile*> Acquire(std::string_view ip, bool* created);
  Status EvictOne();

  ProfileStore* store_;
  EngineOptions opts_;
  Lru lru_;  // front: most recently seen
  // Keys view the ip string of the profile they index (list nodes never move).
  absl::flat_hash_map<absl::string_view, Lru::iterator> index_;
  size_t dirty_ = 0;
  EngineStats stats_;
};

}  // namespace decnet::intel
