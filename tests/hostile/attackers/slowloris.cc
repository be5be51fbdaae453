// attack_slowloris HOST PORT IDLE TALKERS TIMEOUT_MS: IDLE connections that never send a
// byte, and TALKERS that send one and get its echo. Each idle connection must be dropped by
// the server no sooner than 0.9 x TIMEOUT_MS after it connected and no later than
// TIMEOUT_MS + 15 s; every talker must still be open and answering after the last drop.
// Prints "idle dropped D/IDLE after FIRST..LAST ms; talkers answering T/TALKERS".
#include <cstdio>
#include <vector>

#include "hostile/attackers/stream_peer.h"

using namespace soket::attack;

namespace {

bool talk(int fd, char byte) {
  if (::send(fd, &byte, 1, MSG_NOSIGNAL) != 1) return false;
  char back = 0;
  return wait_for(fd, POLLIN, Clock::now() + 5s) && ::recv(fd, &back, 1, 0) == 1 && back == byte;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) usage("attack_slowloris HOST PORT IDLE TALKERS TIMEOUT_MS");
  ignore_sigpipe();
  raise_fd_limit();
  const auto target = soket::attack::target(argv[1], argv[2]);
  const int idle = std::atoi(argv[3]), talkers = std::atoi(argv[4]);
  const auto timeout = std::chrono::milliseconds(std::atoi(argv[5]));
  if (idle < 1 || idle > 5000 || talkers < 0 || talkers > 1000 || timeout < 1ms)
    usage("bad counts");
  struct Idle {
    int fd;
    Clock::time_point connected;
    long dropped_after_ms = -1;
  };
  std::vector<Idle> idles;
  std::vector<int> talking;
  for (int i = 0; i < idle + talkers; ++i) {
    const int fd = connect_to(target, loopback_source(i));
    if (fd < 0) fail("cannot connect");
    if (i < idle) {
      idles.push_back({fd, Clock::now()});
    } else {
      if (!talk(fd, 'x')) fail("a talker got no echo");
      talking.push_back(fd);
    }
  }
  const auto deadline = Clock::now() + timeout + 15s;
  std::size_t dropped = 0;
  std::vector<pollfd> polled;
  while (dropped < idles.size() && Clock::now() < deadline) {
    polled.clear();
    for (const auto& c : idles) polled.push_back({c.dropped_after_ms < 0 ? c.fd : -1, POLLIN, 0});
    if (::poll(polled.data(), polled.size(), 50) < 0 && errno != EINTR) fail("poll failed");
    for (std::size_t i = 0; i < idles.size(); ++i) {
      if (polled[i].revents == 0) continue;
      char byte;
      if (::recv(idles[i].fd, &byte, 1, 0) > 0) fail("the server sent bytes to a silent peer");
      idles[i].dropped_after_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - idles[i].connected)
              .count();
      ++dropped;
    }
  }
  long first = -1, last = -1;
  for (const auto& c : idles) {
    if (c.dropped_after_ms < 0) continue;
    if (first < 0 || c.dropped_after_ms < first) first = c.dropped_after_ms;
    last = std::max(last, c.dropped_after_ms);
  }
  int answering = 0;
  for (int fd : talking) answering += talk(fd, 'y') ? 1 : 0;
  std::printf("idle dropped %zu/%zu after %ld..%ld ms; talkers answering %d/%zu\n", dropped,
              idles.size(), first, last, answering, talking.size());
  if (dropped < idles.size()) fail("silent connections were still open past the timeout");
  if (first < timeout.count() * 9 / 10) fail("a silent connection was dropped too soon");
  if (answering != static_cast<int>(talking.size())) fail("a talker was dropped");
  return 0;
}
