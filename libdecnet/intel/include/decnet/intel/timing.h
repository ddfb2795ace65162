// Incremental inter-arrival-time (IAT) statistics over one attacker's events, in O(1) memory.
//
// Matches the original's timing_stats() (4nt11/DECNET decnet/profiler/timing.py) on an in-order
// stream: event_count, duration, mean, population stdev, min, max and CV = stdev/mean of the gaps
// between consecutive timestamps. The original sorted a full event list; we cannot keep one (memory
// bound), so a timestamp older than the newest one seen yields no gap (counted in out_of_order)
// instead of being re-sorted. The median is exact up to 5 gaps and a P-square estimate (Jain &
// Chlamtac 1985) after. Every field is plain data so a restart or an LRU eviction restores it bit
// for bit.
#pragma once

#include <cstdint>
#include <optional>

namespace decnet::intel {

// Streaming median: exact for n <= 5, P-square estimate after.
struct MedianEstimator {
  uint64_t n = 0;
  double q[5] = {0, 0, 0, 0, 0};     // marker heights (the first n samples, sorted, while n <= 5)
  double pos[5] = {1, 2, 3, 4, 5};   // marker positions (1-based)
  double want[5] = {1, 2, 3, 4, 5};  // desired positions

  void Add(double x);
  // REQUIRES: n > 0.
  double Value() const;
};

struct TimingStats {
  uint64_t event_count = 0;   // events with a valid timestamp
  double first_ts = 0;        // min timestamp
  double last_ts = 0;         // max timestamp
  uint64_t iat_count = 0;     // gaps folded in
  uint64_t out_of_order = 0;  // events older than last_ts (no gap)
  double mean = 0;            // Welford running mean of the gaps
  double m2 = 0;              // Welford sum of squared deviations
  double min_iat = 0;
  double max_iat = 0;
  MedianEstimator median;

  void Add(double ts);
  double duration() const { return event_count ? last_ts - first_ts : 0; }
  // The original's rounded figures: mean/median/stdev/min/max to 3 decimals, cv to 4; nullopt where
  // the original had None (fewer than 2 events, or cv when the mean is 0).
  std::optional<double> MeanRounded() const;
  std::optional<double> MedianRounded() const;
  std::optional<double> StdevRounded() const;
  std::optional<double> MinRounded() const;
  std::optional<double> MaxRounded() const;
  std::optional<double> CvRounded() const;
  double PopulationStdev() const;
};

// Python's round(x, digits): correctly rounded from the exact binary value, ties to even (glibc's
// printf does the same), so classification sees exactly the numbers the original compared.
double RoundTo(double x, int digits);

}  // namespace decnet::intel
