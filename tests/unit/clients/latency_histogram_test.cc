#include "clients/latency_histogram.h"

#include <gtest/gtest.h>

#include <cmath>

namespace soket::clients {
namespace {

TEST(LatencyHistogram, EmptyHasNoPercentiles) {
  LatencyHistogram histogram;
  EXPECT_EQ(histogram.count(), 0u);
  EXPECT_EQ(histogram.percentile(0.5), 0u);
}

TEST(LatencyHistogram, PercentilesWithinThreePercent) {
  LatencyHistogram histogram;
  for (std::uint64_t v = 1; v <= 100000; ++v) histogram.record(v * 1000);  // 1 us .. 100 ms.
  EXPECT_EQ(histogram.count(), 100000u);
  for (double p : {0.5, 0.9, 0.99, 0.999}) {
    const double exact = p * 100000 * 1000;
    const double got = static_cast<double>(histogram.percentile(p));
    EXPECT_GE(got, exact * 0.999) << p;
    EXPECT_LE(got, exact * 1.04) << p;
  }
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  LatencyHistogram histogram;
  for (std::uint64_t v = 0; v < 32; ++v) histogram.record(v);
  EXPECT_EQ(histogram.percentile(1.0), 31u);
  EXPECT_EQ(histogram.percentile(0.5), 15u);
}

TEST(LatencyHistogram, MergeAddsCounts) {
  LatencyHistogram a, b;
  a.record(100);
  b.record(1'000'000);
  b.record(1'000'000);
  a.merge(b);
  EXPECT_EQ(a.count(), 3u);
  EXPECT_GE(a.percentile(0.9), 1'000'000u);
  EXPECT_LE(a.percentile(0.3), 103u);  // The bucket's upper bound, within 3 %.
}

TEST(LatencyHistogram, HugeValuesDoNotOverflow) {
  LatencyHistogram histogram;
  histogram.record(~std::uint64_t{0});
  EXPECT_GT(histogram.percentile(1.0), std::uint64_t{1} << 62);
}

TEST(LatencyHistogram, MinMaxAndMeanAreExact) {
  LatencyHistogram histogram;
  for (std::uint64_t v : {1'000'003u, 7u, 123'456'789u, 50'000u}) histogram.record(v);
  EXPECT_EQ(histogram.min(), 7u);
  EXPECT_EQ(histogram.max(), 123'456'789u);
  EXPECT_DOUBLE_EQ(histogram.mean(), (1'000'003.0 + 7 + 123'456'789 + 50'000) / 4);
  // No percentile is reported above the largest sample, though its bucket reaches higher.
  EXPECT_EQ(histogram.percentile(1.0), 123'456'789u);
}

TEST(LatencyHistogram, StddevWithinBucketPrecision) {
  LatencyHistogram histogram;
  constexpr std::uint64_t kN = 100000;
  for (std::uint64_t v = 1; v <= kN; ++v) histogram.record(v * 1000);
  // A uniform distribution on [0, N]: N / sqrt(12).
  const double exact = kN * 1000 / std::sqrt(12.0);
  EXPECT_NEAR(histogram.stddev(), exact, exact * 0.03);
  LatencyHistogram constant;
  for (int i = 0; i < 10; ++i) constant.record(20);  // Exact bucket: no spread at all.
  EXPECT_DOUBLE_EQ(constant.stddev(), 0.0);
}

TEST(LatencyHistogram, MergeKeepsMinMaxAndSum) {
  LatencyHistogram a, b;
  a.record(500);
  b.record(90);
  b.record(4000);
  a.merge(b);
  EXPECT_EQ(a.min(), 90u);
  EXPECT_EQ(a.max(), 4000u);
  EXPECT_DOUBLE_EQ(a.mean(), (500.0 + 90 + 4000) / 3);
}

TEST(LatencyHistogram, EmptyDistributionHasNoPoints) {
  EXPECT_TRUE(LatencyHistogram{}.percentile_distribution().empty());
}

// The levels HdrHistogram's PercentileIterator visits with 5 ticks per half distance:
// steps of 10 % up to 50 %, of 5 % up to 75 %, of 2.5 % up to 87.5 % ...
TEST(LatencyHistogram, DistributionFollowsHdrHistogramsLevels) {
  LatencyHistogram histogram;
  for (std::uint64_t v = 0; v < 1000; ++v) histogram.record(v < 32 ? v : 32 + v * 100);
  const auto points = histogram.percentile_distribution();
  ASSERT_GT(points.size(), 20u);
  const double expected[] = {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.775};
  for (std::size_t i = 0; i < std::size(expected); ++i) {
    EXPECT_NEAR(points[i].percentile, expected[i], 1e-9) << i;
  }
  EXPECT_EQ(points.front().total_count, 1u);
  EXPECT_EQ(points.back().percentile, 1.0);
  EXPECT_EQ(points.back().total_count, 1000u);
  EXPECT_EQ(points.back().value_ns, histogram.max());
  for (std::size_t i = 1; i < points.size(); ++i) {
    EXPECT_GE(points[i].percentile, points[i - 1].percentile) << i;
    EXPECT_GE(points[i].value_ns, points[i - 1].value_ns) << i;
    EXPECT_GE(points[i].total_count, points[i - 1].total_count) << i;
    // Each point's count reaches its level: the value is where that share is reached.
    EXPECT_GE(static_cast<double>(points[i].total_count) / 1000, points[i].percentile - 1e-9);
  }
}

TEST(LatencyHistogram, OneSampleGivesAFirstAndALastPoint) {
  LatencyHistogram histogram;
  histogram.record(12345);
  const auto points = histogram.percentile_distribution();
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0].percentile, 0.0);
  EXPECT_EQ(points[1].percentile, 1.0);
  EXPECT_EQ(points[1].value_ns, 12345u);
}

}  // namespace
}  // namespace soket::clients
