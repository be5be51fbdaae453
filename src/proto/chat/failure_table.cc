#include "proto/chat/failure_table.h"

#include <algorithm>

namespace soket::proto::chat {

bool FailureTable::locked(const std::string& origin, Via via, TimePoint now) const {
  const auto it = entries_.find(origin);
  if (it == entries_.end()) return false;
  const Entry& entry = *it->second;
  if (now < entry.locked_all_until) return true;
  return via == Via::udp && now < entry.locked_udp_until;
}

bool FailureTable::expired(const Entry& entry, TimePoint now) const {
  const auto keep = std::max(policy_.window, policy_.lockout);
  return now - entry.last_failure > keep && now >= entry.locked_all_until &&
         now >= entry.locked_udp_until;
}

void FailureTable::make_room(TimePoint now) {
  while (!order_.empty() && expired(order_.back(), now)) {
    entries_.erase(order_.back().origin);
    order_.pop_back();
  }
  while (!order_.empty() && entries_.size() >= policy_.capacity) {
    entries_.erase(order_.back().origin);  // The least recent failure is forgotten.
    order_.pop_back();
  }
}

bool FailureTable::record(const std::string& origin, Via via, TimePoint now) {
  auto it = entries_.find(origin);
  if (it == entries_.end()) {
    make_room(now);
    order_.push_front(Entry{.origin = origin});
    it = entries_.emplace(order_.front().origin, order_.begin()).first;
  } else {
    order_.splice(order_.begin(), order_, it->second);  // Now the most recent.
  }
  Entry& entry = *it->second;
  entry.last_failure = now;
  const auto v = static_cast<std::size_t>(via);
  if (entry.count[v] == 0 || now - entry.window_start[v] > policy_.window) {
    entry.count[v] = 0;
    entry.window_start[v] = now;
  }
  if (++entry.count[v] < policy_.max_failures) return false;
  entry.count[v] = 0;
  (via == Via::tcp ? entry.locked_all_until : entry.locked_udp_until) = now + policy_.lockout;
  return true;
}

}  // namespace soket::proto::chat
