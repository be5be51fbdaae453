#include "reactor/timer_queue.h"

#include <vector>

namespace soket::reactor {

TimerId TimerQueue::add(TimePoint when, std::function<void()> callback) {
  const TimerId id{when, next_sequence_++};
  timers_.emplace(Key{id.when, id.sequence}, std::move(callback));
  return id;
}

void TimerQueue::cancel(TimerId id) {
  if (id) timers_.erase(Key{id.when, id.sequence});
}

std::optional<TimePoint> TimerQueue::next_deadline() const {
  if (timers_.empty()) return std::nullopt;
  return timers_.begin()->first.first;
}

std::size_t TimerQueue::run_due(TimePoint now) {
  // Take the due ones out first: callbacks may add and cancel freely while they run.
  std::vector<std::function<void()>> due;
  for (auto it = timers_.begin(); it != timers_.end() && it->first.first <= now;) {
    due.push_back(std::move(it->second));
    it = timers_.erase(it);
  }
  for (auto& callback : due) callback();
  return due.size();
}

}  // namespace soket::reactor
