// FailureTable: wrong-password counts per origin (an IP address), bounded against a brute
// force spread over many origins. Sans-I/O: the time comes in with each call.
//
// Which transport a guess came by matters: TCP cannot be spoofed, so five wrong passwords
// over TCP lock the address out of both transports; a UDP source address can be forged, so
// wrong passwords over UDP lock out only UDP from that origin (a forger cannot shut a TCP
// member out).
//
// Bound and eviction: at most `capacity` origins. The table is kept in order of last failure;
// entries whose window and lockout have both passed are pruned from the old end on every
// insert, and when it is still full the origin that failed least recently is forgotten. A
// forgotten origin starts again from zero, which costs an attacker a fresh origin per five
// guesses either way. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"

namespace soket::proto::chat {

enum class Via : std::uint8_t { tcp, udp };

struct FailurePolicy {
  int max_failures = 5;  // Within `window`...
  Duration window = std::chrono::seconds(60);
  Duration lockout = std::chrono::seconds(60);  // ...then locked out this long.
  std::size_t capacity = 10000;                 // Origins remembered at most.
};

class FailureTable {
 public:
  explicit FailureTable(FailurePolicy policy) : policy_(policy) {}

  bool locked(const std::string& origin, Via via, TimePoint now) const;
  // Counts a wrong password; true when it just locked the origin out.
  bool record(const std::string& origin, Via via, TimePoint now);
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string origin;
    int count[2] = {0, 0};  // Failures within the window, by Via.
    TimePoint window_start[2]{};
    TimePoint locked_all_until{};  // From TCP failures: both transports.
    TimePoint locked_udp_until{};  // From UDP failures: UDP only.
    TimePoint last_failure{};
  };
  using Order = std::list<Entry>;  // Most recent failure first.

  bool expired(const Entry& entry, TimePoint now) const;
  void make_room(TimePoint now);

  FailurePolicy policy_;
  Order order_;
  std::unordered_map<std::string_view, Order::iterator> entries_;  // Keys view into order_.
};

}  // namespace soket::proto::chat
