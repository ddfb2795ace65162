// The profiler's work over the DB (library decnet::intel_db, which links decnet::storage): read
// `logs` after the cursor in batches, fold them into the Engine, write every changed profile
// (`attackers`, `attacker_behavior`, and its restorable state) and the cursor in ONE transaction,
// then publish.
//
// The cursor is the state key "profiler_cursor" = {"last_log_id": N}; each profile's restorable
// state (AttackerProfile::StateJson) is the attackers.intel_state column of its row. A failed batch
// rolls back and drops the in-memory table, so the next run resumes from the DB's truth; events are
// never counted twice.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <rapidjson/document.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "decnet/core/result.h"
#include "decnet/intel/engine.h"
#include "decnet/storage/repository.h"

namespace decnet::syslog {
class DecnetParser;
struct DecnetRecord;
}  // namespace decnet::syslog

namespace decnet::intel {

// (topic, type, payload JSON). Called only after the batch's transaction committed.
using Publisher = std::function<void(std::string_view, std::string_view, const std::string&)>;

struct ProfilerOptions {
  int batch_rows = 500;          // logs per read (the storage may clamp it: 1000 for SQLite)
  int rows_per_commit = 5000;   // rows folded per transaction (several reads); profiles written once each
  int max_batches_per_run = 4;  // commits before RunOnce returns (yield to the loop)
  int max_fingerprints = 32;     // fingerprint bounty payloads on the attackers row
  EngineOptions engine;
};

struct ProfilerStats {
  uint64_t rows = 0;  // log rows consumed
  uint64_t batches = 0;
  uint64_t profiles_written = 0;
  uint64_t failed_batches = 0;
  uint64_t bad_fields = 0;  // rows whose fields JSON did not parse (folded without fields)
  uint64_t reparsed = 0;    // rows whose raw_line was re-parsed with the syslog component
  int64_t cursor = 0;
};

class Profiler : private ProfileStore {
 public:
  Profiler(storage::Repository& repo, ProfilerOptions opts, Publisher publish);
  ~Profiler();

  // Processes batches until a read comes back empty or max_batches_per_run. Returns the rows
  // consumed (0: caught up; more than 0: call again, there may be more). On a DB error the current
  // batch is rolled back (nothing published) and the error returned.
  Result<size_t> RunOnce();

  const ProfilerStats& stats() const { return stats_; }
  const Engine& engine() const { return engine_; }

  static constexpr const char* kCursorKey = "profiler_cursor";

 private:
  Result<size_t> RunBatch();
  bool ToEvent(const storage::LogRow& row, Event* e);
  Status LoadCursor();
  Status WriteProfile(const AttackerProfile& p);
  // One query each for the credential and bounty counts of every profile about to be flushed.
  Status PrefetchCounts();
  // ProfileStore
  Result<std::optional<std::string>> LoadState(std::string_view ip) override;
  Status SaveProfile(const AttackerProfile& p) override;

  storage::Repository& repo_;
  ProfilerOptions opts_;
  Publisher publish_;
  Engine engine_;
  bool cursor_loaded_ = false;
  ProfilerStats stats_;
  // Bus events of the batch in hand, published after its commit.
  std::vector<std::pair<std::string, std::string>> pending_;  // (topic, payload)
  // Counts prefetched for the flush in hand: ip -> (credentials, bounty). Cleared after each batch.
  absl::flat_hash_map<std::string, std::pair<int64_t, int64_t>> counts_;
  // Scratch of ToEvent, reused across rows (the parser keeps its buffers warm).
  rapidjson::Document doc_;
  std::deque<std::string> scratch_;
  std::vector<Field> fields_;
  std::unique_ptr<syslog::DecnetParser> parser_;  // null when built without the syslog component
  std::unique_ptr<syslog::DecnetRecord> record_;
};

}  // namespace decnet::intel
