// Strangers in the UDP room. First STRANGERS origins (127.x.y.z) each open a UDP "session"
// that never authenticates and keep it alive with a second datagram; then a new member must
// still get in. Then FLOOD origins send password guesses as fast as they can while another
// new member joins. Holds when each new member is in (USERNAME OK) within JOIN_MS of its
// first datagram; each login step is sent again every 100 ms, as UDP may lose one.
//   attack_chat_udp_strangers HOST PORT PASSWORD STRANGERS FLOOD JOIN_MS
#include <atomic>
#include <thread>

#include "hostile/attackers/chat_peer.h"

using namespace soket;
using namespace soket::attack;

namespace {

// One datagram from each of `count` origins, starting at origin `first`; `rounds` times.
std::uint32_t spray(const net::Address& server, std::uint32_t first, std::uint32_t count,
                    int rounds, const std::string& text, const std::atomic<bool>* stop,
                    std::atomic<std::uint32_t>* progress = nullptr) {
  std::uint32_t sent = 0;
  for (int round = 0; round < rounds; ++round) {
    for (std::uint32_t i = 0; i < count; ++i) {
      if (stop != nullptr && stop->load()) return sent;
      const std::string source = origin(first + i);
      const int fd = bound_socket(SOCK_DGRAM, source.c_str());
      if (fd < 0) continue;
      if (::sendto(fd, text.data(), text.size(), 0, server.data(), server.length()) > 0) ++sent;
      ::close(fd);
      if (progress != nullptr) progress->store(sent);
    }
  }
  return sent;
}

long join_ms(const net::Address& server, const std::string& password, const std::string& name,
             const char* source, long limit_ms) {
  ChatPeer member(server, true, source);
  const auto start = Clock::now();
  if (!member.join(password, name, std::chrono::milliseconds(limit_ms * 5), 100ms)) return -1;
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) usage("attack_chat_udp_strangers HOST PORT PASSWORD STRANGERS FLOOD JOIN_MS");
  const auto server = target(argv[1], argv[2]);
  const std::string password = argv[3];
  const auto strangers = static_cast<std::uint32_t>(std::atol(argv[4]));
  const auto flood = static_cast<std::uint32_t>(std::atol(argv[5]));
  const long limit = std::atol(argv[6]);

  // A member from before the strangers: none of them may push it out.
  ChatPeer resident(server, true, "127.0.0.4");
  if (!resident.join(password, "resident", 10s, 100ms)) fail("the resident could not join");
  const auto kept = spray(server, 0, strangers, 2, "hello", nullptr);
  const long first = join_ms(server, password, "newcomer", "127.0.0.2", limit);
  std::printf("%u datagrams from %u silent strangers; a new member joined in %ld ms\n", kept,
              strangers, first);
  if (first < 0 || first > limit) fail("a new member could not get in past the strangers");

  std::atomic<bool> stop{false};
  std::atomic<std::uint32_t> flooded{0};
  std::thread flooder(
      [&] { spray(server, strangers, flood, 1, "PASSWORD guess", &stop, &flooded); });
  // Join once the flood is well under way: a tenth of it sent (polled, bounded by 30 s).
  const auto until = Clock::now() + 30s;
  while (flooded.load() < flood / 10 && Clock::now() < until) {
    std::this_thread::sleep_for(1ms);
  }
  const auto at_start = flooded.load();
  const long second = join_ms(server, password, "latecomer", "127.0.0.3", limit);
  const auto at_end = flooded.load();
  const bool flood_still_running = at_end < flood;
  flooder.join();  // The flood runs to its end (bounded: one datagram per origin).
  std::printf(
      "flood of %u datagrams from %u origins; a new member joined in %ld ms, while "
      "%u flood datagrams were sent%s\n",
      flooded.load(), flood, second, at_end - at_start,
      flood_still_running ? " (the flood still running)" : "");
  if (second < 0 || second > limit) fail("a new member could not get in during the flood");
  for (int attempt = 0; attempt < 20; ++attempt) {  // UDP: asked again if a datagram is lost.
    resident.send("/who");
    const auto answer_by = Clock::now() + 500ms;
    while (Clock::now() < answer_by) {
      const auto line = resident.next(answer_by - Clock::now());
      if (!line) break;
      if (line->rfind("members (", 0) == 0) {
        if (line->find(" resident") == std::string::npos) fail("the resident is gone: " + *line);
        std::printf("after the strangers: %s\n", line->c_str());
        return 0;
      }
    }
  }
  fail("the resident member was pushed out by strangers");
}
