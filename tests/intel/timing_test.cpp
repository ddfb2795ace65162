#include "decnet/intel/timing.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace decnet::intel {
namespace {

TEST(intel_Timing, HandComputedFourGaps) {
  TimingStats t;
  for (double ts : {100.0, 101.0, 103.0, 106.0, 110.0}) t.Add(ts);  // gaps 1 2 3 4
  EXPECT_EQ(t.event_count, 5u);
  EXPECT_EQ(t.iat_count, 4u);
  EXPECT_DOUBLE_EQ(t.duration(), 10.0);
  EXPECT_DOUBLE_EQ(*t.MeanRounded(), 2.5);
  EXPECT_DOUBLE_EQ(*t.MedianRounded(), 2.5);
  EXPECT_DOUBLE_EQ(*t.StdevRounded(), 1.118);  // sqrt(1.25)
  EXPECT_DOUBLE_EQ(*t.MinRounded(), 1.0);
  EXPECT_DOUBLE_EQ(*t.MaxRounded(), 4.0);
  EXPECT_DOUBLE_EQ(*t.CvRounded(), 0.4472);  // 1.118034/2.5
}

TEST(intel_Timing, OddCountMedianAndSingleGap) {
  TimingStats t;
  for (double ts : {0.0, 5.0, 6.0, 16.0}) t.Add(1e9 + ts);  // gaps 5 1 10
  EXPECT_DOUBLE_EQ(*t.MedianRounded(), 5.0);
  EXPECT_DOUBLE_EQ(*t.MeanRounded(), 5.333);
  EXPECT_DOUBLE_EQ(*t.StdevRounded(), 3.682);  // pstdev(5,1,10)
  TimingStats one;
  one.Add(1e9);
  one.Add(1e9 + 2);
  EXPECT_DOUBLE_EQ(*one.StdevRounded(), 0.0);
  EXPECT_DOUBLE_EQ(*one.CvRounded(), 0.0);
}

TEST(intel_Timing, TooFewEventsGiveNone) {
  TimingStats t;
  EXPECT_FALSE(t.MeanRounded());
  t.Add(5);
  EXPECT_FALSE(t.MeanRounded());
  EXPECT_FALSE(t.CvRounded());
  EXPECT_EQ(t.event_count, 1u);
}

TEST(intel_Timing, ZeroMeanHasNoCv) {
  TimingStats t;
  for (int i = 0; i < 4; ++i) t.Add(1000);
  EXPECT_DOUBLE_EQ(*t.MeanRounded(), 0.0);
  EXPECT_FALSE(t.CvRounded());
}

TEST(intel_Timing, OutOfOrderGivesNoNegativeGap) {
  TimingStats t;
  for (double ts : {10.0, 20.0, 15.0, 30.0}) t.Add(ts);
  EXPECT_EQ(t.out_of_order, 1u);
  EXPECT_EQ(t.iat_count, 2u);  // 10, 10
  EXPECT_DOUBLE_EQ(t.first_ts, 10.0);
  EXPECT_DOUBLE_EQ(t.last_ts, 30.0);
  EXPECT_DOUBLE_EQ(*t.MinRounded(), 10.0);
}

TEST(intel_Timing, MedianEstimateTracksLargeStreams) {
  std::mt19937 rng(7);
  std::exponential_distribution<double> gap(1.0 / 30);
  TimingStats t;
  double ts = 0;
  std::vector<double> gaps;
  for (int i = 0; i < 20000; ++i) {
    t.Add(ts);
    const double g = gap(rng);
    gaps.push_back(g);
    ts += g;
  }
  gaps.pop_back();
  std::sort(gaps.begin(), gaps.end());
  const double exact = gaps[gaps.size() / 2];
  EXPECT_NEAR(*t.MedianRounded(), exact, exact * 0.05);
}

TEST(intel_Timing, RoundToMatchesPython) {
  EXPECT_DOUBLE_EQ(RoundTo(2.675, 2), 2.67);  // binary 2.67499...
  EXPECT_DOUBLE_EQ(RoundTo(0.125, 2), 0.12);  // exact tie, to even
  EXPECT_DOUBLE_EQ(RoundTo(1.0005, 3), 1.0);  // binary 1.000499...
}

}  // namespace
}  // namespace decnet::intel
