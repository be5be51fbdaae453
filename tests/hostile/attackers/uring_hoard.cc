// Attack: many clients that send without ever reading, to take every receive buffer of the
// server (the io_uring echo's buffers are shared by all its connections) and to make it queue
// without bound. Then fresh clients must still be echoed at once, and the server's resident
// memory must have grown by less than the given bound (--max-output per hoarder, not what the
// hoarders pushed).
//
// usage: attack_uring_hoard HOST PORT SERVER_PID HOARDERS BYTES_EACH MAX_GROWTH_MIB
// Prints "hoarders H pushed MiB growth KiB"; exits 0 when the server held, 1 when not.
#include <vector>

#include "hostile/attackers/uring_peer.h"

using namespace soket::attack;

int main(int argc, char** argv) {
  if (argc != 7)
    usage("attack_uring_hoard HOST PORT SERVER_PID HOARDERS BYTES_EACH MAX_GROWTH_MIB");
  ignore_sigpipe();
  const auto to = target(argv[1], argv[2]);
  const std::string pid = argv[3];
  const int hoarders = std::atoi(argv[4]);
  const auto bytes_each = static_cast<std::size_t>(std::atoll(argv[5]));
  const long max_growth_kib = std::atol(argv[6]) * 1024;
  const long before = vm_rss_kib(std::stol(pid));
  if (before < 0) fail("cannot read the server's VmRSS");

  // A tiny receive window: the echo fills it at once, so the server's sends stall and
  // everything more it reads has to be queued (or refused).
  std::vector<int> fds;
  std::vector<std::size_t> pushed(static_cast<std::size_t>(hoarders), 0);
  for (int i = 0; i < hoarders; ++i) {
    const int fd = connect_to(to, 4096);
    if (fd < 0) fail("hoarder " + std::to_string(i) + " could not connect");
    fds.push_back(fd);
  }
  // Push until each hoarder sent its bytes or the server stopped taking them for a second.
  const std::string chunk(64 * 1024, 'h');
  const auto deadline = Clock::now() + 20s;
  auto last_progress = Clock::now();
  while (Clock::now() < deadline && Clock::now() - last_progress < 1s) {
    std::vector<pollfd> writable;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (pushed[i] < bytes_each) writable.push_back({fds[i], POLLOUT, 0});
    }
    if (writable.empty()) break;
    ::poll(writable.data(), writable.size(), 100);
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (pushed[i] >= bytes_each) continue;
      const std::size_t want = std::min(chunk.size(), bytes_each - pushed[i]);
      const ssize_t n = ::send(fds[i], chunk.data(), want, MSG_NOSIGNAL);
      if (n > 0) {
        pushed[i] += static_cast<std::size_t>(n);
        last_progress = Clock::now();
      } else if (n < 0 && errno != EAGAIN) {
        fail("hoarder " + std::to_string(i) + " was cut off: " + std::strerror(errno));
      }
    }
  }
  std::size_t total = 0;
  for (const auto p : pushed) total += p;

  // While every hoarder still holds its share: newcomers must be served.
  for (int i = 0; i < 5; ++i) {
    if (!fresh_client_served(to, 10s)) {
      fail("fresh client " + std::to_string(i) + " was not echoed within 10 s while " +
           std::to_string(hoarders) + " clients did not read");
    }
  }
  const long growth = vm_rss_kib(std::stol(pid)) - before;
  std::printf("hoarders %d pushed %zu MiB growth %ld KiB\n", hoarders, total >> 20, growth);
  if (growth > max_growth_kib) {
    fail("the server grew by " + std::to_string(growth) + " KiB, over the bound of " +
         std::to_string(max_growth_kib) + " KiB");
  }
  for (const int fd : fds) ::close(fd);
  return 0;
}
