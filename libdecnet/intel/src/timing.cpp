#include "decnet/intel/timing.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace decnet::intel {

double RoundTo(double x, int digits) {
  if (!std::isfinite(x)) return x;
  char buf[400];
  std::snprintf(buf, sizeof buf, "%.*f", digits, x);
  return std::strtod(buf, nullptr);
}

void MedianEstimator::Add(double x) {
  if (n < 5) {
    // Exact phase: keep the first five samples sorted.
    size_t i = n;
    while (i > 0 && q[i - 1] > x) {
      q[i] = q[i - 1];
      --i;
    }
    q[i] = x;
    ++n;
    return;
  }
  // P-square: find the cell k with q[k] <= x < q[k+1], widening the extremes.
  int k;
  if (x < q[0]) {
    q[0] = x;
    k = 0;
  } else if (x >= q[4]) {
    q[4] = std::max(q[4], x);
    k = 3;
  } else {
    k = 0;
    while (k < 3 && x >= q[k + 1]) ++k;
  }
  ++n;
  for (int i = k + 1; i < 5; ++i) pos[i] += 1;
  static constexpr double kStep[5] = {0, 0.25, 0.5, 0.75, 1};  // p = 0.5
  for (int i = 0; i < 5; ++i) want[i] += kStep[i];
  for (int i = 1; i < 4; ++i) {
    const double d = want[i] - pos[i];
    if ((d >= 1 && pos[i + 1] - pos[i] > 1) || (d <= -1 && pos[i - 1] - pos[i] < -1)) {
      const double s = d >= 0 ? 1 : -1;
      // Parabolic prediction; fall back to linear when it leaves the neighbours' bracket.
      const double np =
          q[i] + s / (pos[i + 1] - pos[i - 1]) *
                     ((pos[i] - pos[i - 1] + s) * (q[i + 1] - q[i]) / (pos[i + 1] - pos[i]) +
                      (pos[i + 1] - pos[i] - s) * (q[i] - q[i - 1]) / (pos[i] - pos[i - 1]));
      if (q[i - 1] < np && np < q[i + 1]) {
        q[i] = np;
      } else {
        const int j = i + static_cast<int>(s);
        q[i] = q[i] + s * (q[j] - q[i]) / (pos[j] - pos[i]);
      }
      pos[i] += s;
    }
  }
}

double MedianEstimator::Value() const {
  if (n == 0) return 0;
  if (n <= 5) {
    const size_t m = n / 2;
    return n % 2 ? q[m] : (q[m - 1] + q[m]) / 2;
  }
  return q[2];
}

void TimingStats::Add(double ts) {
  if (event_count == 0) {
    first_ts = last_ts = ts;
    event_count = 1;
    return;
  }
  ++event_count;
  first_ts = std::min(first_ts, ts);
  if (ts < last_ts) {
    ++out_of_order;
    return;
  }
  const double gap = ts - last_ts;
  last_ts = ts;
  ++iat_count;
  if (iat_count == 1) {
    min_iat = max_iat = gap;
  } else {
    min_iat = std::min(min_iat, gap);
    max_iat = std::max(max_iat, gap);
  }
  const double delta = gap - mean;
  mean += delta / static_cast<double>(iat_count);
  m2 += delta * (gap - mean);
  median.Add(gap);
}

double TimingStats::PopulationStdev() const {
  if (iat_count < 2) return 0;
  return std::sqrt(std::max(0.0, m2 / static_cast<double>(iat_count)));
}

std::optional<double> TimingStats::MeanRounded() const {
  if (iat_count == 0) return std::nullopt;
  return RoundTo(mean, 3);
}
std::optional<double> TimingStats::MedianRounded() const {
  if (iat_count == 0) return std::nullopt;
  return RoundTo(median.Value(), 3);
}
std::optional<double> TimingStats::StdevRounded() const {
  if (iat_count == 0) return std::nullopt;
  return RoundTo(PopulationStdev(), 3);
}
std::optional<double> TimingStats::MinRounded() const {
  if (iat_count == 0) return std::nullopt;
  return RoundTo(min_iat, 3);
}
std::optional<double> TimingStats::MaxRounded() const {
  if (iat_count == 0) return std::nullopt;
  return RoundTo(max_iat, 3);
}
std::optional<double> TimingStats::CvRounded() const {
  if (iat_count == 0 || !(mean > 0)) return std::nullopt;
  return RoundTo(PopulationStdev() / mean, 4);
}

}  // namespace decnet::intel
