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
  // Note the due ones first, then take each out just before it runs: a callback may cancel
  // a timer of the same batch (which must then not run) and add new ones (which wait for the
  // next call, since they are not in the list).
  std::vector<Key> due;
  for (auto it = timers_.begin(); it != timers_.end() && it->first.first <= now; ++it) {
    due.push_back(it->first);
  }
  std::size_t ran = 0;
  for (const auto& key : due) {
    const auto it = timers_.find(key);
    if (it == timers_.end()) continue;  // Cancelled by an earlier callback of this batch.
    auto callback = std::move(it->second);
    timers_.erase(it);
    callback();
    ++ran;
  }
  return ran;
}

}  // namespace soket::reactor
