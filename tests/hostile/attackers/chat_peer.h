// What the chat attackers share: a member speaking the chat protocol by hand over TCP or UDP
// from a chosen source address (any 127.x.y.z is an origin of its own), with bounded waits,
// and the server's resident memory. Plain POSIX: an attacker is a peer, not a soket client.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>

#include "core/clock.h"
#include "hostile/attackers/attack_common.h"
#include "net/address.h"

namespace soket::attack {

using namespace std::chrono_literals;

// A socket bound to `source` (port 0: any), or -1. SO_REUSEPORT lets a second socket take
// the very address and port of a first that set it too: a forger on the same host.
inline int bound_socket(int type, const char* source, std::uint16_t port = 0,
                        bool reuseport = false) {
  const int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const int one = 1;
  if (reuseport) ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  if (source != nullptr) {
    auto address = net::Address::parse(source, port);
    if (!address || ::bind(fd, address->data(), address->length()) != 0) {
      ::close(fd);
      return -1;
    }
  }
  return fd;
}

// "127.A.B.C" for the n-th origin (n < 2^24 - 256), never 127.0.0.x.
inline std::string origin(std::uint32_t n) {
  n += 256;
  return "127." + std::to_string((n >> 16) & 255) + "." + std::to_string((n >> 8) & 255) + "." +
         std::to_string(n & 255);
}

class ChatPeer {
 public:
  // `source`: the address to speak from (nullptr: any); `rcvbuf` > 0 sets SO_RCVBUF first.
  ChatPeer(const net::Address& server, bool udp, const char* source = nullptr, int rcvbuf = 0,
           std::uint16_t source_port = 0, bool reuseport = false)
      : udp_(udp) {
    fd_ = bound_socket(udp ? SOCK_DGRAM : SOCK_STREAM, source, source_port, reuseport);
    if (fd_ < 0) fail("cannot open a socket from " + std::string(source ? source : "any"));
    if (rcvbuf > 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    if (::connect(fd_, server.data(), server.length()) != 0) {
      fail("connect: " + std::string(std::strerror(errno)));
    }
  }
  ~ChatPeer() { close(); }
  ChatPeer(const ChatPeer&) = delete;
  ChatPeer& operator=(const ChatPeer&) = delete;

  int fd() const { return fd_; }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  // The token the server gave at USERNAME OK, if it gave one (soket does; a baseline may not).
  const std::string& token() const { return token_; }

  // TCP adds the LF; UDP sends one datagram, with the token first once there is one.
  bool send(const std::string& line) {
    const std::string wire =
        udp_ ? (token_.empty() ? line : "TOKEN " + token_ + " " + line) : line + "\n";
    return ::send(fd_, wire.data(), wire.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(wire.size());
  }
  // The next line (UDP: datagram, without any LF), or nullopt at the deadline or at EOF.
  std::optional<std::string> next(Duration wait) {
    const auto deadline = Clock::now() + wait;
    for (;;) {
      if (const auto end = pending_.find('\n', taken_); end != std::string::npos) {
        std::string line = pending_.substr(taken_, end - taken_);
        taken_ = end + 1;  // Erased in bulk below: a fast talker's stream stays cheap to read.
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
      }
      const auto left = std::max<long long>(
          0,
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
      if (closed_) return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0) {
        if (left == 0) return std::nullopt;  // One look even when no time was left.
        continue;
      }
      char chunk[65536];
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0 && !udp_) {
        closed_ = true;
        continue;
      }
      if (n < 0) continue;  // UDP: ECONNREFUSED from an earlier datagram.
      pending_.erase(0, taken_);
      taken_ = 0;
      pending_.append(chunk, static_cast<std::size_t>(n));
      if (udp_ && (pending_.empty() || pending_.back() != '\n')) pending_.push_back('\n');
    }
  }
  // Skips lines until one equal to `wanted`.
  bool expect(const std::string& wanted, Duration wait) {
    const auto deadline = Clock::now() + wait;
    while (Clock::now() < deadline) {
      auto line = next(deadline - Clock::now());
      if (!line) return false;
      if (*line == wanted) return true;
    }
    return false;
  }
  bool closed() const { return closed_; }

  // PASSWORD then USERNAME; over UDP takes the TOKEN line if one comes. Each step is sent
  // again every `retry` until answered (UDP may lose a datagram under a flood).
  bool join(const std::string& password, const std::string& name, Duration wait,
            Duration retry = 1h) {
    const auto deadline = Clock::now() + wait;
    if (!step("PASSWORD " + password, "PASSWORD OK", deadline, retry)) return false;
    if (!step("USERNAME " + name, "USERNAME OK", deadline, retry)) return false;
    if (udp_) {
      // soket sends "TOKEN <hex>" at once; the baseline sends none (then wait a moment).
      const auto until = std::min(deadline, Clock::now() + 1s);
      while (Clock::now() < until) {
        auto line = next(until - Clock::now());
        if (!line) break;
        if (line->rfind("TOKEN ", 0) == 0) {
          token_ = line->substr(6);
          break;
        }
      }
    }
    return true;
  }

 private:
  bool step(const std::string& line, const std::string& wanted, TimePoint deadline,
            Duration retry) {
    while (Clock::now() < deadline) {
      if (!send(line)) return false;
      const auto until = std::min(deadline, Clock::now() + retry);
      while (Clock::now() < until) {
        auto reply = next(until - Clock::now());
        if (!reply) break;
        if (*reply == wanted) return true;
        if (reply->rfind("PASSWORD", 0) == 0 || reply->rfind("USERNAME", 0) == 0 ||
            reply->rfind("ERROR", 0) == 0) {
          last_refusal_ = *reply;
          if (*reply != "PASSWORD OK") return false;  // A verdict, not a lost datagram.
        }
      }
    }
    return false;
  }

 public:
  std::string last_refusal_;

 private:
  bool udp_;
  int fd_ = -1;
  bool closed_ = false;
  std::string pending_;
  std::size_t taken_ = 0;  // Bytes of pending_ already returned as lines.
  std::string token_;
};

}  // namespace soket::attack
