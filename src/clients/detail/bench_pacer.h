// Pacer: one connection's schedule under `soket bench --rate`, as wrk2 keeps it. Message k
// (from 0) is due at start + phase + k * period; a message's latency is measured from that
// time, not from when it actually went out, so a server that stalls is charged for every
// message the stall held back (coordinated omission, corrected). A connection that falls
// behind sends as fast as its pipeline allows until it is back on schedule.
// An unpaced Pacer (no --rate) makes every message due at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>

#include "core/clock.h"

namespace soket::clients::detail {

class Pacer {
 public:
  Pacer() = default;
  // `rate`: messages per second over all `connections`; `index` spreads the connections'
  // first messages over one period, so they do not all fire together.
  Pacer(double rate, int connections, std::size_t index, TimePoint start)
      : period_ns_(1e9 * connections / rate), start_(start) {
    // A fixed, well-mixed fraction of a period from the index (Fibonacci hashing).
    const double fraction = static_cast<double>((index * 0x9E3779B97F4A7C15ull) >> 11) /
                            static_cast<double>(std::uint64_t{1} << 53);
    start_ += std::chrono::nanoseconds(static_cast<std::int64_t>(fraction * period_ns_));
  }

  bool paced() const { return period_ns_ > 0; }
  // When message k is due (the start for an unpaced connection).
  TimePoint due_time(std::uint64_t k) const {
    return start_ +
           std::chrono::nanoseconds(static_cast<std::int64_t>(static_cast<double>(k) * period_ns_));
  }
  // How many messages are due by `now`: those whose due time is at or before it.
  std::uint64_t due_by(TimePoint now) const {
    if (!paced()) return std::numeric_limits<std::uint64_t>::max();
    if (now < start_) return 0;
    const double elapsed = static_cast<double>((now - start_).count()) *
                           (static_cast<double>(Duration::period::num) * 1e9 /
                            static_cast<double>(Duration::period::den));
    auto due = static_cast<std::uint64_t>(elapsed / period_ns_) + 1;
    // Floating point may put the boundary one off; the due time is the definition.
    while (due > 0 && due_time(due - 1) > now) --due;
    while (due_time(due) <= now) ++due;
    return due;
  }

 private:
  double period_ns_ = 0;
  TimePoint start_{};
};

}  // namespace soket::clients::detail
