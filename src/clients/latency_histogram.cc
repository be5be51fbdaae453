#include "clients/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace soket::clients {

// Values below 2^kSubBits get a bucket each; above, the bucket is the power of two (the
// position of the top bit) and the kSubBits bits below it.
std::size_t LatencyHistogram::bucket_of(std::uint64_t value) {
  if (value < kSubBuckets) return static_cast<std::size_t>(value);
  const int top = 63 - std::countl_zero(value);
  const int shift = top - kSubBits;
  const auto sub = static_cast<std::size_t>((value >> shift) & (kSubBuckets - 1));
  return (static_cast<std::size_t>(shift + 1) << kSubBits) + sub;
}

std::uint64_t LatencyHistogram::lower_bound_of(std::size_t bucket) {
  if (bucket < kSubBuckets) return bucket;
  const int shift = static_cast<int>(bucket >> kSubBits) - 1;
  const std::uint64_t sub = bucket & (kSubBuckets - 1);
  return ((std::uint64_t{kSubBuckets} | sub) << shift);
}

std::uint64_t LatencyHistogram::upper_bound_of(std::size_t bucket) {
  if (bucket < kSubBuckets) return bucket;
  const int shift = static_cast<int>(bucket >> kSubBits) - 1;
  return lower_bound_of(bucket) + ((std::uint64_t{1} << shift) - 1);
}

// A bucket's upper bound, but never more than the largest sample seen.
std::uint64_t LatencyHistogram::reported(std::size_t bucket) const {
  return std::min(upper_bound_of(bucket), max_);
}

void LatencyHistogram::record(std::uint64_t nanoseconds) {
  ++buckets_[bucket_of(nanoseconds)];
  ++count_;
  min_ = std::min(min_, nanoseconds);
  max_ = std::max(max_, nanoseconds);
  sum_ += static_cast<long double>(nanoseconds);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (std::size_t i = 0; i < kBuckets; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

double LatencyHistogram::mean() const {
  return count_ == 0 ? 0 : static_cast<double>(sum_ / static_cast<long double>(count_));
}

double LatencyHistogram::stddev() const {
  if (count_ == 0) return 0;
  const double m = mean();
  long double squares = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    if (buckets_[i] == 0) continue;
    const double mid =
        (static_cast<double>(lower_bound_of(i)) + static_cast<double>(upper_bound_of(i))) / 2;
    const double d = mid - m;
    squares += static_cast<long double>(d) * d * static_cast<long double>(buckets_[i]);
  }
  return std::sqrt(static_cast<double>(squares / static_cast<long double>(count_)));
}

std::uint64_t LatencyHistogram::percentile(double fraction) const {
  if (count_ == 0) return 0;
  const auto wanted = static_cast<std::uint64_t>(std::ceil(fraction * static_cast<double>(count_)));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += buckets_[i];
    if (seen >= wanted && seen > 0) return reported(i);
  }
  return max_;
}

// HdrHistogram's PercentileIterator over our buckets: while a bucket's cumulative share
// reaches the next level, report it and step the level by 100 / (ticks * 2^(k+1)), where
// 2^k is how many times the distance to 100 % has halved. The last bucket reports once, then
// one more point at exactly 100 %.
std::vector<PercentilePoint> LatencyHistogram::percentile_distribution(int ticks_per_half) const {
  std::vector<PercentilePoint> points;
  if (count_ == 0) return points;
  const double total = static_cast<double>(count_);
  double level = 0;  // In percent, as HdrHistogram keeps it.
  std::uint64_t seen = 0;
  std::size_t last = 0;
  for (std::size_t i = 0; i < kBuckets && seen < count_; ++i) {
    if (buckets_[i] == 0) continue;
    seen += buckets_[i];
    last = i;
    // Bounded: each pass emits a point and raises the level; it ends when the level passes
    // this bucket's share or, on the last bucket, after one point.
    for (int guard = 0; guard < 100000; ++guard) {
      if (100.0 * static_cast<double>(seen) / total < level) break;
      points.push_back({reported(i), level / 100.0, seen});
      const double halvings = std::floor(std::log2(100.0 / (100.0 - level)));
      level += 100.0 / (ticks_per_half * std::pow(2.0, halvings + 1));
      if (seen == count_) break;
    }
  }
  points.push_back({reported(last), 1.0, count_});
  return points;
}

}  // namespace soket::clients
