// attack_max_conns HOST PORT MAX EXTRA: opens MAX+EXTRA connections one after another and
// asks each for an echo. Exactly MAX must be served (echo back) and EXTRA closed by the
// server (end of stream or reset) within 5 s each; then one served connection closes, and a
// new connection must be served once its slot is free.
// Prints "served S, refused R, after a close: served".
#include <cstdio>
#include <string>
#include <vector>

#include "hostile/attackers/stream_peer.h"

using namespace soket::attack;

namespace {

enum class Fate { served, refused, silent };

Fate fate_of(int fd, const std::string& message) {
  (void)::send(fd, message.data(), message.size(), MSG_NOSIGNAL);
  std::string got;
  const auto deadline = Clock::now() + 5s;
  while (got.size() < message.size()) {
    if (!wait_for(fd, POLLIN, deadline)) return Fate::silent;
    char chunk[256];
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return Fate::refused;
    got.append(chunk, static_cast<std::size_t>(n));
  }
  return got == message ? Fate::served : Fate::silent;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) usage("attack_max_conns HOST PORT MAX EXTRA");
  ignore_sigpipe();
  const auto target = soket::attack::target(argv[1], argv[2]);
  const int max = std::atoi(argv[3]), extra = std::atoi(argv[4]);
  if (max < 1 || extra < 1 || max + extra > 2000) usage("1 <= MAX, 1 <= EXTRA, MAX+EXTRA <= 2000");
  std::vector<int> fds;
  for (int i = 0; i < max + extra; ++i) {
    const int fd = connect_to(target, loopback_source(i));
    if (fd < 0) fail("cannot connect");
    fds.push_back(fd);
  }
  int served = 0, refused = 0, silent = 0, served_fd = -1;
  for (std::size_t i = 0; i < fds.size(); ++i) {
    switch (fate_of(fds[i], "hello " + std::to_string(i))) {
      case Fate::served:
        ++served;
        served_fd = fds[i];
        break;
      case Fate::refused:
        ++refused;
        break;
      case Fate::silent:
        ++silent;
        break;
    }
  }
  std::printf("served %d, refused %d, silent %d", served, refused, silent);
  if (served != max || refused != extra) {
    std::printf("\n");
    fail("expected exactly " + std::to_string(max) + " served and " + std::to_string(extra) +
         " refused");
  }
  // Free a slot: close a served connection and wait for the server's FIN in answer, so the
  // server has counted it closed before the next connection arrives.
  ::shutdown(served_fd, SHUT_WR);
  char byte;
  if (!wait_for(served_fd, POLLIN, Clock::now() + 5s) || ::recv(served_fd, &byte, 1, 0) != 0) {
    fail("the server did not close a connection whose peer closed");
  }
  bool later = false;
  for (int attempt = 0; attempt < 50 && !later; ++attempt) {
    const int fd = connect_to(target, loopback_source(max + extra + attempt));
    if (fd < 0) fail("cannot connect");
    later = fate_of(fd, "after a close") == Fate::served;
    ::close(fd);
    if (!later) wait_for(-1, 0, Clock::now() + 100ms);  // The release is deferred a moment.
  }
  std::printf(", after a close: %s\n", later ? "served" : "refused");
  for (int fd : fds) ::close(fd);
  if (!later) fail("a freed slot was never given to a new connection");
  return 0;
}
