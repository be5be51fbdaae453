// Attack: bulk senders that reset mid-stream. Each round, SENDERS clients send 1-4 MiB while
// reading little, then close with SO_LINGER 0 (a reset) while the server is still sending
// their echo. After every round a fresh client must be echoed at once: the server survived
// (no SIGPIPE, no lost state) and serves on.
//
// usage: attack_uring_reset_bulk HOST PORT ROUNDS SENDERS
// Prints "rounds R reset N"; exits 0 when the server served on, 1 when not.
#include <linux/socket.h>

#include <random>
#include <vector>

#include "hostile/attackers/uring_peer.h"

using namespace soket::attack;

int main(int argc, char** argv) {
  if (argc != 5) usage("attack_uring_reset_bulk HOST PORT ROUNDS SENDERS");
  ignore_sigpipe();
  const auto to = target(argv[1], argv[2]);
  const int rounds = std::atoi(argv[3]);
  const int senders = std::atoi(argv[4]);
  std::mt19937 random(12);
  const std::string chunk(64 * 1024, 'b');
  int reset = 0;
  for (int round = 0; round < rounds; ++round) {
    std::vector<int> fds;
    std::vector<std::size_t> target_bytes, sent;
    for (int i = 0; i < senders; ++i) {
      const int fd = connect_to(to, 16 * 1024);
      if (fd < 0) fail("round " + std::to_string(round) + ": a sender could not connect");
      fds.push_back(fd);
      target_bytes.push_back((1u << 20) + random() % (3u << 20));
      sent.push_back(0);
    }
    const auto deadline = Clock::now() + 5s;
    bool all_sent = false;
    while (!all_sent && Clock::now() < deadline) {
      all_sent = true;
      std::vector<pollfd> polls;
      for (const int fd : fds) polls.push_back({fd, POLLOUT, 0});
      ::poll(polls.data(), polls.size(), 50);
      for (std::size_t i = 0; i < fds.size(); ++i) {
        if (sent[i] >= target_bytes[i]) continue;
        all_sent = false;
        const ssize_t n = ::send(fds[i], chunk.data(),
                                 std::min(chunk.size(), target_bytes[i] - sent[i]), MSG_NOSIGNAL);
        if (n > 0) sent[i] += static_cast<std::size_t>(n);
        char little[512];
        ::recv(fds[i], little, sizeof little, 0);  // Reads little: the echo piles up.
      }
    }
    for (const int fd : fds) {
      const linger hard{1, 0};  // Close with a reset, dropping what is unsent and unread.
      ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
      ::close(fd);
      ++reset;
    }
    if (!fresh_client_served(to, 10s)) {
      fail("after round " + std::to_string(round) + " a fresh client was not echoed");
    }
  }
  std::printf("rounds %d reset %d\n", rounds, reset);
  return 0;
}
