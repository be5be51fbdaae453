// LatencyHistogram: log-linear buckets (32 per power of two, so about 3 % precision) over
// nanoseconds, fixed size, no allocation per sample. One per thread; merge() them after.
// It also keeps the exact minimum, maximum and sum, so max and mean are exact; percentiles
// are a bucket's upper bound (never above the exact maximum), the stddev is taken over the
// buckets' midpoints, as HdrHistogram does.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace soket::clients {

// One step of the percentile distribution (HdrHistogram's PercentileIterator): the value
// at or below which `percentile` (0..1) of the samples lie, and how many that is.
struct PercentilePoint {
  std::uint64_t value_ns = 0;
  double percentile = 0;
  std::uint64_t total_count = 0;
};

class LatencyHistogram {
 public:
  static constexpr int kSubBits = 5;
  static constexpr std::size_t kSubBuckets = std::size_t{1} << kSubBits;
  static constexpr std::size_t kBuckets = (64 - kSubBits + 1) << kSubBits;

  void record(std::uint64_t nanoseconds);
  void merge(const LatencyHistogram& other);
  void reset() { *this = LatencyHistogram{}; }
  std::uint64_t count() const { return count_; }
  std::uint64_t min() const { return count_ == 0 ? 0 : min_; }
  std::uint64_t max() const { return max_; }
  double mean() const;
  double stddev() const;
  // The value below which `fraction` (0..1) of the samples lie, in nanoseconds.
  std::uint64_t percentile(double fraction) const;
  // The distribution as HdrHistogram's outputPercentileDistribution walks it: levels from 0
  // %, `ticks_per_half` steps each time the distance to 100 % halves, and a last point at
  // 100 %. Percentiles and counts never decrease along it. Empty when there are no samples.
  std::vector<PercentilePoint> percentile_distribution(int ticks_per_half = 5) const;

 private:
  static std::size_t bucket_of(std::uint64_t value);
  static std::uint64_t lower_bound_of(std::size_t bucket);
  static std::uint64_t upper_bound_of(std::size_t bucket);
  std::uint64_t reported(std::size_t bucket) const;

  std::array<std::uint64_t, kBuckets> buckets_{};
  std::uint64_t count_ = 0;
  std::uint64_t min_ = ~std::uint64_t{0};
  std::uint64_t max_ = 0;
  long double sum_ = 0;  // Exact enough for any count a run can reach.
};

}  // namespace soket::clients
