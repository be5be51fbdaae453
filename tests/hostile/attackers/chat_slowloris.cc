// Slowloris: COUNT TCP connections that never send a byte, and a member that joins among
// them. Holds when the server closes every silent connection within WAIT_S seconds (its
// --handshake-timeout plus margin) and the member stays.
//   attack_chat_slowloris HOST PORT PASSWORD COUNT WAIT_S
#include <sys/epoll.h>

#include <algorithm>
#include <span>
#include <vector>

#include "hostile/attackers/chat_peer.h"

using namespace soket;
using namespace soket::attack;

namespace {

// Connects go in waves, each waited for, so the listener's queue of half-open connections
// (bounded by its backlog) never overflows into SYN cookies: a cookie connection whose last
// ACK meets a full accept queue is lost by the server without a trace while this side
// believes it open, and would look like one the server never closed.
constexpr int kWave = 250;

int connect_silently(const net::Address& server, int i) {
  const std::string source = origin(static_cast<std::uint32_t>(i % 50));
  const int fd = bound_socket(SOCK_STREAM | SOCK_NONBLOCK, source.c_str());
  if (fd < 0) fail("socket: " + std::string(std::strerror(errno)));
  if (::connect(fd, server.data(), server.length()) != 0 && errno != EINPROGRESS) {
    fail("connect: " + std::string(std::strerror(errno)));
  }
  return fd;
}

// A connect that failed (refused, reset) would later read as a connection the server closed:
// it fails the attack instead.
void require_connected(int fd) {
  int error = 0;
  socklen_t length = sizeof error;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
  if (error != 0) fail("connect: " + std::string(std::strerror(error)));
}

// Until every socket of the wave has finished its handshake, at most `limit`.
void await_connected(std::span<const int> wave, Duration limit) {
  std::vector<pollfd> pending;
  for (int fd : wave) pending.push_back({fd, POLLOUT, 0});
  const auto deadline = Clock::now() + limit;
  while (!pending.empty() && Clock::now() < deadline) {
    if (::poll(pending.data(), pending.size(), 500) < 0 && errno != EINTR) fail("poll");
    std::erase_if(pending, [](const pollfd& p) {
      if (p.revents != 0) require_connected(p.fd);
      return p.revents != 0;
    });
  }
  if (!pending.empty()) fail(std::to_string(pending.size()) + " connects never completed");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) usage("attack_chat_slowloris HOST PORT PASSWORD COUNT WAIT_S");
  ignore_sigpipe();
  const auto server = target(argv[1], argv[2]);
  const std::string password = argv[3];
  const int count = std::atoi(argv[4]);
  const auto wait = std::chrono::seconds(std::atoi(argv[5]));
  const int poller = ::epoll_create1(EPOLL_CLOEXEC);
  std::vector<int> fds;
  const auto start = Clock::now();
  for (int first = 0; first < count; first += kWave) {
    const int last = std::min(count, first + kWave);
    for (int i = first; i < last; ++i) fds.push_back(connect_silently(server, i));
    await_connected(std::span(fds).subspan(first), 30s);
  }
  for (int i = 0; i < count; ++i) {
    epoll_event event{EPOLLIN | EPOLLRDHUP, {.u32 = static_cast<std::uint32_t>(i)}};
    ::epoll_ctl(poller, EPOLL_CTL_ADD, fds[i], &event);
  }
  ChatPeer member(server, false);
  if (!member.join(password, "patient", 10s)) fail("a member could not join among them");
  int closed = 0;
  TimePoint last_close = start;
  while (closed < count && Clock::now() < start + wait) {
    epoll_event events[256];
    const int n = ::epoll_wait(poller, events, 256, 500);
    for (int i = 0; i < n; ++i) {
      const int fd = fds[events[i].data.u32];
      char byte;
      const ssize_t got = ::recv(fd, &byte, 1, 0);
      if (got > 0) continue;  // Nothing is ever sent to a silent connection, but be sure.
      if (got < 0 && errno == EAGAIN) continue;
      ::epoll_ctl(poller, EPOLL_CTL_DEL, fd, nullptr);
      ++closed;
      last_close = Clock::now();
    }
  }
  const auto ms = [](Duration d) {
    return static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
  };
  std::printf("%d of %d silent connections closed by the server, the last after %lld ms\n", closed,
              count, ms(last_close - start));
  if (closed < count) fail(std::to_string(count - closed) + " silent connections still open");
  member.send("/who");
  if (!member.expect("members (1): patient", 10s)) fail("the member did not stay");
  return 0;
}
