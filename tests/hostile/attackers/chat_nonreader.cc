// A member that never reads while TALKERS others (default 20) talk within the rate limit: the
// server must not queue the room's traffic for it without bound. Holds when the non-reader is
// dropped (the room hears "<name> left the chat room.") and the server's memory grew by less
// than MAX_GROWTH_KIB (0: measured, not judged).
//   attack_chat_nonreader HOST PORT PASSWORD SERVER_PID SECONDS MAX_GROWTH_KIB [TALKERS]
// The talkers, one thread reading all of them, must keep up with what they receive: each of
// n talkers receives (n - 1) x 2000 B x 15 per second, n^2 in all (20: 11 MB/s). A talker
// that falls behind is a slow reader too, and a room-wide limit may rightly drop it.
#include <poll.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "hostile/attackers/chat_peer.h"

using namespace soket;
using namespace soket::attack;

int main(int argc, char** argv) {
  if (argc != 7 && argc != 8)
    usage("attack_chat_nonreader HOST PORT PASSWORD SERVER_PID SECONDS MAX_GROWTH_KIB [TALKERS]");
  ignore_sigpipe();
  const auto server = target(argv[1], argv[2]);
  const std::string password = argv[3];
  const int pid = std::atoi(argv[4]);
  const auto seconds = std::chrono::seconds(std::atoi(argv[5]));
  const long max_growth = std::atol(argv[6]);
  const int kTalkers = argc == 8 ? std::clamp(std::atoi(argv[7]), 2, 100) : 20;
  constexpr int kPerSecond = 15;  // Under the default limit of 20.

  ChatPeer sink(server, false, nullptr, /*rcvbuf=*/4096);
  if (!sink.join(password, "sink", 10s)) fail("the non-reader could not join");
  std::vector<std::unique_ptr<ChatPeer>> talkers;
  for (int i = 0; i < kTalkers; ++i) {
    talkers.push_back(std::make_unique<ChatPeer>(server, false));
    if (!talkers.back()->join(password, "talker" + std::to_string(i), 10s)) {
      fail("talker " + std::to_string(i) + " could not join");
    }
  }
  const long before = vm_rss_kib(pid);
  const std::string text(2000, 'x');
  const auto start = Clock::now();
  const auto end = start + seconds;
  auto next_round = start;
  bool left = false;
  long peak = before;
  TimePoint left_at{};
  std::size_t rounds = 0;
  // Talkers read everything (they are good members); only "sink" never reads. The attack ends
  // once the sink is dropped, or at the deadline (a slow, sanitized server needs longer to
  // queue enough for it).
  while (Clock::now() < end && !left) {
    if (Clock::now() >= next_round) {
      for (auto& talker : talkers) talker->send(text);
      next_round += std::chrono::milliseconds(1000 / kPerSecond);
      ++rounds;
    }
    for (auto& talker : talkers) {
      while (auto line = talker->next(0ms)) {
        if (*line == "sink left the chat room." && !left) {
          left = true;
          left_at = Clock::now();
        } else if (line->rfind("talker", 0) == 0 && line->ends_with(" left the chat room.")) {
          fail("a member that reads was dropped: " + *line);
        }
      }
    }
    peak = std::max(peak, vm_rss_kib(pid));
    ::poll(nullptr, 0, 5);
  }
  const long growth = peak - before;
  std::printf(
      "rounds %zu, server rss before %ld KiB, peak %ld KiB, growth %ld KiB, sink %s\n", rounds,
      before, peak, growth,
      left ? ("dropped after " +
              std::to_string(
                  std::chrono::duration_cast<std::chrono::milliseconds>(left_at - start).count()) +
              " ms")
                 .c_str()
           : "never dropped");
  if (!left) fail("the member that never reads was never dropped");
  if (max_growth > 0 && growth > max_growth)
    fail("the server grew by " + std::to_string(growth) + " KiB");
  // The room still works for the others. A slow (sanitized) run may have sent its rounds in a
  // burst, so the rate limit may answer the first try with "ERROR slow down": three tries.
  for (int attempt = 0; attempt < 3; ++attempt) {
    talkers[0]->send("still here");
    if (talkers[1]->expect("talker0: still here", 10s)) return 0;
  }
  fail("the room stopped relaying");
}
