// Password guesses from COUNT origins (127.x.y.z), one wrong guess each over TCP, 200 at a
// time: the table of failures must stay bounded. Holds when the server's memory grew by less
// than MAX_GROWTH_KIB (0: measured, not judged), and the lockout still works afterwards
// (five wrong guesses from a fresh origin lock it out).
//   attack_chat_bruteforce HOST PORT SERVER_PID COUNT MAX_GROWTH_KIB
#include <netinet/in.h>
#include <sys/epoll.h>

#include <vector>

#include "hostile/attackers/chat_peer.h"

using namespace soket;
using namespace soket::attack;

namespace {

struct Guess {
  int fd = -1;
  bool sent = false;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) usage("attack_chat_bruteforce HOST PORT SERVER_PID COUNT MAX_GROWTH_KIB");
  ignore_sigpipe();
  const auto server = target(argv[1], argv[2]);
  const int pid = std::atoi(argv[3]);
  const std::uint32_t count = static_cast<std::uint32_t>(std::atol(argv[4]));
  const long max_growth = std::atol(argv[5]);
  constexpr int kConcurrent = 200;
  const long before = vm_rss_kib(pid);
  const auto start = Clock::now();
  const auto deadline = start + 240s;

  const int poller = ::epoll_create1(EPOLL_CLOEXEC);
  std::vector<Guess> slots(kConcurrent);
  std::uint32_t started = 0, answered = 0, failed = 0;
  int active = 0;
  const std::string guess = "PASSWORD wrong-guess\n";
  auto begin = [&](int slot) {
    while (started < count) {
      const std::string source = origin(started++);
      const int fd = bound_socket(SOCK_STREAM | SOCK_NONBLOCK, source.c_str());
      if (fd < 0) {
        ++failed;
        continue;
      }
      if (::connect(fd, server.data(), server.length()) != 0 && errno != EINPROGRESS) {
        ::close(fd);
        ++failed;
        continue;
      }
      slots[slot] = Guess{fd, false};
      epoll_event event{EPOLLOUT | EPOLLIN, {.u32 = static_cast<std::uint32_t>(slot)}};
      ::epoll_ctl(poller, EPOLL_CTL_ADD, fd, &event);
      ++active;
      return;
    }
  };
  for (int slot = 0; slot < kConcurrent; ++slot) begin(slot);
  while (active > 0 && Clock::now() < deadline) {
    epoll_event events[64];
    const int n = ::epoll_wait(poller, events, 64, 1000);
    for (int i = 0; i < n; ++i) {
      const int slot = static_cast<int>(events[i].data.u32);
      Guess& g = slots[slot];
      if (!g.sent && (events[i].events & EPOLLOUT)) {
        g.sent = ::send(g.fd, guess.data(), guess.size(), MSG_NOSIGNAL) > 0;
        if (!g.sent) events[i].events |= EPOLLERR;
      }
      bool done = (events[i].events & (EPOLLERR | EPOLLHUP)) != 0;
      if (g.sent && (events[i].events & EPOLLIN)) {
        char reply[256];
        if (::recv(g.fd, reply, sizeof reply, 0) > 0) ++answered;
        done = true;
      }
      if (done) {
        ::close(g.fd);  // Also removes it from the epoll set.
        --active;
        begin(slot);
      }
    }
  }
  const long after = vm_rss_kib(pid);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  std::printf(
      "%u origins guessed, %u answered, %u failed to connect, %lld ms; server rss %ld -> "
      "%ld KiB (growth %ld KiB)\n",
      started, answered, failed, static_cast<long long>(took.count()), before, after,
      after - before);
  if (answered < count * 9 / 10) fail("too few guesses were answered");
  if (max_growth > 0 && after - before > max_growth) {
    fail("the server grew by " + std::to_string(after - before) + " KiB for " +
         std::to_string(count) + " origins");
  }
  // The lockout still holds for a fresh origin after the flood.
  const std::string fresh = origin(count + 1);
  for (int i = 0; i < 5; ++i) {
    ChatPeer peer(server, false, fresh.c_str());
    peer.send("PASSWORD wrong");
    if (peer.next(10s) != "PASSWORD INCORRECT") fail("a wrong guess was not answered");
  }
  ChatPeer last(server, false, fresh.c_str());
  last.send("PASSWORD wrong");
  const auto verdict = last.next(10s);
  if (verdict != "ERROR too many attempts") {
    fail("the sixth guess got '" + verdict.value_or("<nothing>") + "', not a lockout");
  }
  return 0;
}
