// Attack: connections that stay silent (slowloris). Mode "handshake": COUNT connections never
// send a byte; the server (--handshake-timeout T) must drop each of them after about T, while
// a control connection that sent its first byte at once stays open past T. Mode "idle": COUNT
// connections send one message then fall silent; the server (--idle-timeout T) must drop them
// after about T, while a control connection that keeps talking stays open and served.
//
// usage: attack_uring_silent HOST PORT handshake|idle COUNT T_SECONDS
// Prints "dropped COUNT after MIN..MAX ms"; exits 0 when the timeout held, 1 when not.
#include <cstring>
#include <vector>

#include "hostile/attackers/uring_peer.h"

using namespace soket::attack;

int main(int argc, char** argv) {
  if (argc != 6) usage("attack_uring_silent HOST PORT handshake|idle COUNT T_SECONDS");
  ignore_sigpipe();
  const auto to = target(argv[1], argv[2]);
  const bool idle_mode = std::strcmp(argv[3], "idle") == 0;
  const int count = std::atoi(argv[4]);
  const auto timeout = std::chrono::milliseconds(static_cast<long>(std::atof(argv[5]) * 1000));
  const int control = connect_to(to);
  if (control < 0 || !ping(control, "control\n", 10s))
    fail("the control connection was not served");
  std::vector<int> silent;
  const auto start = Clock::now();
  for (int i = 0; i < count; ++i) {
    const int fd = connect_to(to);
    if (fd < 0) fail("silent connection " + std::to_string(i) + " could not connect");
    if (idle_mode && !ping(fd, "one message, then silence\n", 10s)) {
      fail("silent connection " + std::to_string(i) + " was not served its one message");
    }
    silent.push_back(fd);
  }
  // Each silent one must end (EOF or reset) between half the timeout and the timeout plus a
  // generous margin; meanwhile the control keeps talking (idle) or stays quiet (handshake).
  const auto limit = start + timeout + 10s;
  std::vector<bool> done(silent.size(), false);
  std::size_t dropped = 0;
  auto earliest = std::chrono::milliseconds::max(), latest = std::chrono::milliseconds::zero();
  auto next_control_ping = Clock::now();
  while (dropped < silent.size() && Clock::now() < limit) {
    if (idle_mode && Clock::now() >= next_control_ping) {
      if (!ping(control, "still talking\n", 5s)) fail("the talking control connection was dropped");
      next_control_ping = Clock::now() + timeout / 4;
    }
    for (std::size_t i = 0; i < silent.size(); ++i) {
      if (done[i]) continue;
      char into[256];
      const ssize_t n = ::recv(silent[i], into, sizeof into, 0);
      if (n > 0 || (n < 0 && errno == EAGAIN)) continue;  // Still open.
      done[i] = true;
      ++dropped;
      const auto after =
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
      earliest = std::min(earliest, after);
      latest = std::max(latest, after);
    }
    ::poll(nullptr, 0, 20);  // Polling the sockets' state every 20 ms, bounded by `limit`.
  }
  if (dropped < silent.size()) {
    fail(std::to_string(silent.size() - dropped) + " of " + std::to_string(silent.size()) +
         " silent connections were still open " +
         std::to_string(std::chrono::duration_cast<std::chrono::seconds>(limit - start).count()) +
         " s after they connected");
  }
  std::printf("dropped %zu after %lld..%lld ms\n", dropped,
              static_cast<long long>(earliest.count()), static_cast<long long>(latest.count()));
  if (earliest < timeout / 2) fail("a silent connection was dropped too early");
  // The control connection outlived the timeout: in handshake mode its first byte counted.
  if (!ping(control, "control again\n", 5s)) fail("the control connection was dropped");
  ::close(control);
  for (const int fd : silent) ::close(fd);
  return 0;
}
