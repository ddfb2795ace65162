// The reuse-correlator's work over the DB (library decnet::intel_db): the storage groups
// `credentials` by (secret_kind, username, secret) with >= min_targets distinct (decky, service)
// targets, aggregates computed fresh from the rows (so attempt_count counts each attempt once);
// each group is upserted into `credential_reuse` (replacing the aggregates), and
// credential.reuse.detected is published only for a group that is new or grew (new target, attacker
// IP, decky or service). A re-run over the same rows publishes nothing. (ReuseAggregator in reuse.h
// is the same rule in memory.)
#pragma once

#include <cstdint>
#include <string>

#include "decnet/core/result.h"
#include "decnet/intel/profiler.h"
#include "decnet/storage/repository.h"

namespace decnet::intel {

struct ReuseOptions {
  int min_targets = 2;
  int max_groups =
      10000;  // groups read per pass (most targets first); more are left for later passes
};

struct ReuseStats {
  uint64_t passes = 0;
  uint64_t groups = 0;     // qualifying groups in the last pass
  uint64_t published = 0;  // credential.reuse.detected events
  uint64_t inserted = 0;
};

class ReuseCorrelator {
 public:
  ReuseCorrelator(storage::Repository& repo, ReuseOptions opts, Publisher publish);
  // One pass in one transaction. Returns how many findings it published.
  Result<size_t> Tick();
  const ReuseStats& stats() const { return stats_; }

 private:
  storage::Repository& repo_;
  ReuseOptions opts_;
  Publisher publish_;
  ReuseStats stats_;
};

}  // namespace decnet::intel
