// Small raw-socket helpers the io_uring attackers share: a peer built on plain POSIX calls,
// so that what it does (not read, reset, stay silent) is exactly what the code says.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "hostile/attackers/attack_common.h"

namespace soket::attack {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// A connected TCP socket to `to` (blocking connect, then non-blocking), or -1.
inline int connect_to(const net::Address& to, int rcvbuf = 0) {
  const int fd = ::socket(to.family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  // Set before connect, so that the window the peer sees is small from the start.
  if (rcvbuf > 0) ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  if (::connect(fd, to.data(), to.length()) != 0) {
    ::close(fd);
    return -1;
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

// Waits up to `timeout` for `events` on fd; the revents (0 on timeout).
inline short wait_for(int fd, short events, std::chrono::milliseconds timeout) {
  pollfd p{fd, events, 0};
  const int r = ::poll(&p, 1, static_cast<int>(timeout.count()));
  return r > 0 ? p.revents : 0;
}

// Sends `text` and reads until all of it came back, within `timeout`. True when it did.
inline bool ping(int fd, const std::string& text, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::size_t sent = 0;
  while (sent < text.size() && Clock::now() < deadline) {
    const ssize_t n = ::send(fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EAGAIN) {
      wait_for(fd, POLLOUT, 100ms);
    } else {
      return false;
    }
  }
  std::string back;
  while (back.size() < text.size() && Clock::now() < deadline) {
    char into[4096];
    const ssize_t n = ::recv(fd, into, sizeof into, 0);
    if (n > 0) {
      back.append(into, static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EAGAIN) {
      wait_for(fd, POLLIN, 100ms);
    } else {
      return false;  // Closed or reset.
    }
  }
  return back == text;
}

// A fresh connection that is echoed at once: the server still serves newcomers.
inline bool fresh_client_served(const net::Address& to, std::chrono::milliseconds timeout) {
  const int fd = connect_to(to);
  if (fd < 0) return false;
  const bool served = ping(fd, "are you still there?\n", timeout);
  ::close(fd);
  return served;
}

}  // namespace soket::attack
