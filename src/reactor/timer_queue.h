// TimerQueue: one-shot timers ordered by deadline on the monotonic clock. Loop-thread only.
// A repeating timer is a callback that schedules itself again.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <utility>

#include "core/clock.h"

namespace soket::reactor {

struct TimerId {
  TimePoint when{};
  std::uint64_t sequence = 0;  // 0 means "no timer".
  explicit operator bool() const { return sequence != 0; }
};

class TimerQueue {
 public:
  TimerId add(TimePoint when, std::function<void()> callback);
  // Cancelling a timer that already ran, or an empty id, does nothing.
  void cancel(TimerId id);
  std::optional<TimePoint> next_deadline() const;
  // Runs every timer due at `now`, earliest first. A callback may add or cancel timers; ones
  // it adds for `now` or earlier run in the next call, so a timer cannot starve the loop.
  std::size_t run_due(TimePoint now);
  std::size_t size() const { return timers_.size(); }

 private:
  using Key = std::pair<TimePoint, std::uint64_t>;
  std::map<Key, std::function<void()>> timers_;
  std::uint64_t next_sequence_ = 1;
};

}  // namespace soket::reactor
