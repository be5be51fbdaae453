// LatencyHistogram: log-linear buckets (32 per power of two, so about 3 % precision) over
// nanoseconds, fixed size, no allocation per sample. One per thread; merge() them after.
#pragma once

#include <array>
#include <cstdint>

namespace soket::clients {

class LatencyHistogram {
 public:
  void record(std::uint64_t nanoseconds);
  void merge(const LatencyHistogram& other);
  std::uint64_t count() const { return count_; }
  // The value below which `fraction` (0..1) of the samples lie, in nanoseconds.
  std::uint64_t percentile(double fraction) const;

 private:
  static constexpr int kSubBits = 5;
  static constexpr std::size_t kBuckets = (64 - kSubBits + 1) << kSubBits;
  static std::size_t bucket_of(std::uint64_t value);
  static std::uint64_t upper_bound_of(std::size_t bucket);

  std::array<std::uint64_t, kBuckets> buckets_{};
  std::uint64_t count_ = 0;
};

}  // namespace soket::clients
