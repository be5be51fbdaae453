#include "clients/latency_histogram.h"

#include <bit>
#include <cmath>

namespace soket::clients {

// Values below 2^kSubBits get a bucket each; above, the bucket is the power of two (the
// position of the top bit) and the kSubBits bits below it.
std::size_t LatencyHistogram::bucket_of(std::uint64_t value) {
  if (value < (1u << kSubBits)) return static_cast<std::size_t>(value);
  const int top = 63 - std::countl_zero(value);
  const int shift = top - kSubBits;
  const auto sub = static_cast<std::size_t>((value >> shift) & ((1u << kSubBits) - 1));
  return (static_cast<std::size_t>(shift + 1) << kSubBits) + sub;
}

std::uint64_t LatencyHistogram::upper_bound_of(std::size_t bucket) {
  if (bucket < (1u << kSubBits)) return bucket;
  const int shift = static_cast<int>(bucket >> kSubBits) - 1;
  const std::uint64_t sub = bucket & ((1u << kSubBits) - 1);
  return (((std::uint64_t{1} << kSubBits) | sub) << shift) + ((std::uint64_t{1} << shift) - 1);
}

void LatencyHistogram::record(std::uint64_t nanoseconds) {
  ++buckets_[bucket_of(nanoseconds)];
  ++count_;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (std::size_t i = 0; i < kBuckets; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
}

std::uint64_t LatencyHistogram::percentile(double fraction) const {
  if (count_ == 0) return 0;
  const auto wanted = static_cast<std::uint64_t>(std::ceil(fraction * static_cast<double>(count_)));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += buckets_[i];
    if (seen >= wanted && seen > 0) return upper_bound_of(i);
  }
  return upper_bound_of(kBuckets - 1);
}

}  // namespace soket::clients
