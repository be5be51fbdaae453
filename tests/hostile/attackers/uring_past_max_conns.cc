// Attack: more connections than --max-conns. The first LIMIT must be served; each one past
// the limit must be closed by the server at once (EOF or reset, no echo); once one of the
// first closes, a new connection must be served again (the count goes down on close).
//
// usage: attack_uring_past_max_conns HOST PORT LIMIT EXTRA
// Prints "served S refused R"; exits 0 when the limit held, 1 when not.
#include <vector>

#include "hostile/attackers/uring_peer.h"

using namespace soket::attack;

int main(int argc, char** argv) {
  if (argc != 5) usage("attack_uring_past_max_conns HOST PORT LIMIT EXTRA");
  ignore_sigpipe();
  const auto to = target(argv[1], argv[2]);
  const int limit = std::atoi(argv[3]);
  const int extra = std::atoi(argv[4]);
  std::vector<int> admitted;
  for (int i = 0; i < limit; ++i) {
    const int fd = connect_to(to);
    if (fd < 0 || !ping(fd, "within the limit\n", 10s)) {
      fail("connection " + std::to_string(i) + " within the limit was not served");
    }
    admitted.push_back(fd);
  }
  int refused = 0;
  for (int i = 0; i < extra; ++i) {
    const int fd = connect_to(to);  // The kernel completes the handshake; soket then closes.
    if (fd < 0) {
      ++refused;
      continue;
    }
    // Ask for an echo: a server that ignores the limit answers it.
    ::send(fd, "past the limit\n", 15, MSG_NOSIGNAL);
    const int end = wait_closed(fd, 10s);
    ::close(fd);
    if (end == -1) fail("connection " + std::to_string(limit + i) + " past the limit stayed open");
    ++refused;
  }
  // A freed place is taken again: closing one admitted connection lets a new one in. The
  // server notices the close asynchronously, so a few attempts are allowed (bounded).
  ::close(admitted.back());
  admitted.pop_back();
  bool served_again = false;
  for (int attempt = 0; attempt < 50 && !served_again; ++attempt) {
    const int fd = connect_to(to);
    if (fd >= 0) served_again = ping(fd, "a freed place\n", 2s);
    if (fd >= 0) ::close(fd);
    if (!served_again) ::poll(nullptr, 0, 100);  // Give the server's close time to land.
  }
  std::printf("served %d refused %d\n", limit, refused);
  if (!served_again) fail("no connection was served after one within the limit closed");
  for (const int fd : admitted) ::close(fd);
  return 0;
}
