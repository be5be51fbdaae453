// attack_many_conns HOST PORT SERVER_PID COUNT RSS_LIMIT_KIB: opens COUNT connections at once
// (from many 127.0.x.y source addresses, so that ephemeral ports do not run short), each
// sends one byte and must get it back; with all of them open a fresh client must be answered
// within 2 s, and the server's VmRSS must stay under RSS_LIMIT_KIB. Then every connection
// closes with a FIN and must get the server's FIN back (a clean close, no reset).
// Prints "open N, echoed N, fresh client in X ms, VmRSS R KiB, closed cleanly C".
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "hostile/attackers/stream_peer.h"

using namespace soket::attack;

namespace {

// Waits until `want(fd)` for every fd, polling them all, until the deadline; counts successes.
template <typename Want>
std::size_t wait_all(const std::vector<int>& fds, Clock::time_point deadline, Want want) {
  std::vector<bool> done(fds.size(), false);
  std::size_t count = 0;
  std::vector<pollfd> polled(fds.size());
  while (count < fds.size() && Clock::now() < deadline) {
    for (std::size_t i = 0; i < fds.size(); ++i) polled[i] = {done[i] ? -1 : fds[i], POLLIN, 0};
    if (::poll(polled.data(), polled.size(), 100) < 0 && errno != EINTR) break;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (done[i] || polled[i].revents == 0) continue;
      done[i] = true;
      if (want(fds[i])) ++count;
    }
  }
  return count;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) usage("attack_many_conns HOST PORT SERVER_PID COUNT RSS_LIMIT_KIB");
  ignore_sigpipe();
  const auto target = soket::attack::target(argv[1], argv[2]);
  const std::string pid = argv[3];
  const int count = std::atoi(argv[4]);
  const long limit = std::atol(argv[5]);
  if (count < 1 || count > 50000) usage("1..50000 connections");
  if (raise_fd_limit() < static_cast<rlim_t>(count) + 64) fail("the open-file limit is too low");
  std::vector<int> fds;
  for (int i = 0; i < count; ++i) {
    // 200 connections per source address: nowhere near an address's ephemeral ports.
    const int fd = connect_to(target, loopback_source(i / 200), 0, 10s);
    if (fd < 0) fail("connection " + std::to_string(i) + " failed");
    fds.push_back(fd);
  }
  for (int fd : fds) {
    if (::send(fd, "z", 1, MSG_NOSIGNAL) != 1) fail("a send failed");
  }
  const std::size_t echoed = wait_all(fds, Clock::now() + 60s, [](int fd) {
    char byte = 0;
    return ::recv(fd, &byte, 1, 0) == 1 && byte == 'z';
  });
  const auto before = Clock::now();
  const bool fresh = echo_round_trip(target, "fresh client", 2s);
  const auto fresh_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - before).count();
  const long rss = vm_rss_kib(std::stol(pid));
  for (int fd : fds) ::shutdown(fd, SHUT_WR);
  const std::size_t clean = wait_all(fds, Clock::now() + 60s, [](int fd) {
    char byte;
    return ::recv(fd, &byte, 1, 0) == 0;  // The server's FIN, not a reset.
  });
  for (int fd : fds) ::close(fd);
  std::printf(
      "open %d, echoed %zu, fresh client in %ld ms, VmRSS %ld KiB (limit %ld), closed "
      "cleanly %zu\n",
      count, echoed, fresh_ms, rss, limit, clean);
  if (echoed != fds.size()) fail("not every connection got its echo");
  if (!fresh) fail("a fresh client was not answered within 2 s");
  if (rss < 0 || rss > limit) fail("the server's memory passed the limit");
  if (clean != fds.size()) fail("not every connection was closed cleanly");
  return 0;
}
