// attack_reset_flood HOST PORT ROUNDS CLIENTS: each round, CLIENTS peers send 1-4 MiB while
// reading little (a 4 KiB receive buffer), then reset (SO_LINGER 0). A bulk echo is
// reflected with splice(), and splice() into a reset socket raises SIGPIPE: a server that
// does not ignore it dies. After each round a fresh client must get its echo.
// Prints "rounds R, resets N, fresh echo after every round"; exit 1 when the server stopped.
#include <cstdio>
#include <random>
#include <vector>

#include "hostile/attackers/stream_peer.h"

using namespace soket::attack;

namespace {

// Sends up to `total` bytes without waiting more than `patience` for room.
void push(int fd, std::size_t total, std::chrono::milliseconds patience) {
  static const std::string chunk(64 * 1024, 'r');
  std::size_t sent = 0;
  const auto deadline = Clock::now() + patience;
  while (sent < total && Clock::now() < deadline) {
    const ssize_t n = ::send(fd, chunk.data(), std::min(chunk.size(), total - sent), MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EAGAIN) {
      if (!wait_for(fd, POLLOUT, deadline)) break;
    } else {
      break;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) usage("attack_reset_flood HOST PORT ROUNDS CLIENTS");
  ignore_sigpipe();
  const auto target = soket::attack::target(argv[1], argv[2]);
  const int rounds = std::atoi(argv[3]);
  const int clients = std::atoi(argv[4]);
  if (rounds < 1 || rounds > 1000 || clients < 1 || clients > 500)
    usage("1..1000 rounds, 1..500 clients");
  std::mt19937 random(12);
  std::uniform_int_distribution<std::size_t> size(1 << 20, 4 << 20);
  long resets = 0;
  for (int round = 1; round <= rounds; ++round) {
    std::vector<int> fds;
    for (int i = 0; i < clients; ++i) {
      const int fd = connect_to(target, {}, 4096);
      if (fd < 0) fail("round " + std::to_string(round) + ": cannot connect (server gone?)");
      fds.push_back(fd);
    }
    for (int fd : fds) push(fd, size(random), 100ms);
    for (int fd : fds) {
      char little[1024];
      (void)::recv(fd, little, sizeof little, 0);  // Read a little, then reset.
      close_with_reset(fd);
      ++resets;
    }
    if (!echo_round_trip(target, "still there?")) {
      fail("after round " + std::to_string(round) + " (" + std::to_string(resets) +
           " resets) a fresh client got no echo: the server died or hangs");
    }
  }
  std::printf("rounds %d, resets %ld, fresh echo after every round\n", rounds, resets);
  return 0;
}
