#include "clients/latency_histogram.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace soket::clients
