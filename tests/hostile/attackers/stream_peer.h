// What the stream attackers (echo and transform servers) share: connecting from a chosen
// 127.x.y.z source address, blocking-with-deadline I/O, and an abortive close (RST).
// Attackers are test programs: they call the socket API directly, since playing a peer that
// misbehaves is their whole job.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <string_view>

#include "hostile/attackers/attack_common.h"

namespace soket::attack {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// The n-th of many loopback source addresses (127.0.1.1, 127.0.1.2, ...; never 127.0.0.1),
// so that thousands of connections do not run out of ephemeral ports on one address.
inline std::string loopback_source(int n) {
  return "127.0." + std::to_string(1 + n / 250) + "." + std::to_string(1 + n % 250);
}

// A TCP socket connected to `to`, from `source` (an IPv4 literal) when given; -1 on failure.
// `receive_buffer` > 0 sets SO_RCVBUF before connecting (a peer that reads little).
inline int connect_to(const net::Address& to, const std::string& source = {},
                      int receive_buffer = 0, std::chrono::milliseconds timeout = 5s) {
  const int fd = ::socket(to.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (receive_buffer > 0) {
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  }
  if (!source.empty() && !to.is_v6()) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, source.c_str(), &local.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
      ::close(fd);
      return -1;
    }
  }
  if (::connect(fd, to.data(), to.length()) != 0 && errno != EINPROGRESS) {
    ::close(fd);
    return -1;
  }
  pollfd p{fd, POLLOUT, 0};
  int error = 0;
  socklen_t length = sizeof error;
  if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1 ||
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Waits for `events` on fd until the deadline; false when it passed.
inline bool wait_for(int fd, short events, Clock::time_point deadline) {
  for (int round = 0; round < 100000; ++round) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return false;
  }
  return false;
}

// One echo round trip of `message` on a fresh connection: true when it came back whole.
inline bool echo_round_trip(const net::Address& to, std::string_view message,
                            std::chrono::milliseconds timeout = 5s) {
  const auto deadline = Clock::now() + timeout;
  const int fd = connect_to(to, {}, 0, timeout);
  if (fd < 0) return false;
  bool ok = ::send(fd, message.data(), message.size(), MSG_NOSIGNAL) ==
            static_cast<ssize_t>(message.size());
  std::string got;
  while (ok && got.size() < message.size() && wait_for(fd, POLLIN, deadline)) {
    char chunk[4096];
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) break;
    got.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return ok && got == message;
}

// Closes with SO_LINGER 0: the kernel sends an RST instead of a FIN.
inline void close_with_reset(int fd) {
  linger hard{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
  ::close(fd);
}

// Raises this process's open-file limit to the hard limit; returns the new soft limit.
inline rlim_t raise_fd_limit() {
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
  ::getrlimit(RLIMIT_NOFILE, &limit);
  return limit.rlim_cur;
}

}  // namespace soket::attack
