// PreciseTimers: the paced connections' wake-ups, to within microseconds. The loop's own
// timers sleep in whole milliseconds (epoll_wait's grain, rounded up), and under --rate a
// message that goes out late is charged with the delay. So, as Redis's ae loop does for
// wrk2: a loop timer wakes us within a millisecond of the earliest due time, then one
// posted task re-checks the clock on every loop iteration (the loop polls instead of
// sleeping meanwhile, still handling I/O between checks) until it is due.
// One per load thread; loop-thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <utility>

#include "core/clock.h"
#include "reactor/event_loop.h"

namespace soket::clients::detail {

class PreciseTimers {
 public:
  using Key = std::pair<TimePoint, std::uint64_t>;
  static constexpr auto kSpin = std::chrono::milliseconds(1);

  explicit PreciseTimers(reactor::EventLoop& loop) : loop_(loop) {}
  PreciseTimers(const PreciseTimers&) = delete;
  PreciseTimers& operator=(const PreciseTimers&) = delete;

  // Runs `task` once, at or just after `when`, unless cancelled first.
  Key run_at(TimePoint when, std::function<void()> task) {
    const Key key{when, next_sequence_++};
    timers_.emplace(key, std::move(task));
    schedule(Clock::now());
    return key;
  }
  void cancel(const Key& key) { timers_.erase(key); }
  // Drops every timer and the loop timer; a posted check that is still queued does nothing.
  // Call on the loop's thread before the loop stops.
  void stop() {
    timers_.clear();
    if (loop_timer_armed_) loop_.cancel(loop_timer_);
    loop_timer_armed_ = false;
    alive_ = std::make_shared<bool>(true);  // Orphans the queued check, if any.
  }

 private:
  void schedule(TimePoint now) {
    if (timers_.empty()) return;
    const TimePoint earliest = timers_.begin()->first.first;
    if (earliest - now <= kSpin) {
      if (check_posted_) return;
      check_posted_ = true;
      loop_.post([this, alive = std::weak_ptr<bool>(alive_)] {
        if (alive.expired()) return;
        check_posted_ = false;
        run_due();
      });
      return;
    }
    const TimePoint wake = earliest - kSpin;
    if (loop_timer_armed_ && loop_timer_at_ <= wake) return;
    if (loop_timer_armed_) loop_.cancel(loop_timer_);
    loop_timer_armed_ = true;
    loop_timer_at_ = wake;
    loop_timer_ = loop_.run_at(wake, [this] {
      loop_timer_armed_ = false;
      run_due();
    });
  }

  // Takes each due timer out before it runs: a task may add or cancel timers.
  void run_due() {
    const TimePoint now = Clock::now();
    // Bounded: only timers due now, and a task's new timers are due later than now.
    for (std::size_t guard = timers_.size(); guard > 0 && !timers_.empty(); --guard) {
      auto it = timers_.begin();
      if (it->first.first > now) break;
      auto task = std::move(it->second);
      timers_.erase(it);
      task();
    }
    schedule(Clock::now());
  }

  reactor::EventLoop& loop_;
  std::map<Key, std::function<void()>> timers_;
  std::uint64_t next_sequence_ = 0;
  reactor::TimerId loop_timer_;
  TimePoint loop_timer_at_;
  bool loop_timer_armed_ = false;
  bool check_posted_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace soket::clients::detail
