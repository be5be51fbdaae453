#include "support/echo_load.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

namespace soket::test {
namespace {

constexpr std::uint64_t kFnvOffset = 1469598103934665603ull;
std::uint64_t fnv1a(std::uint64_t hash, const unsigned char* data, std::size_t size) {
  for (std::size_t i = 0; i < size; ++i) hash = (hash ^ data[i]) * 1099511628211ull;
  return hash;
}

struct Client {
  int fd = -1;
  std::size_t offset = 0;  // Where in the shared pattern this client's bytes start.
  std::size_t sent = 0, received = 0;
  std::uint64_t sent_hash = kFnvOffset, received_hash = kFnvOffset;
  bool done = false;
};

int open_client(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 &&
      errno != EINPROGRESS) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

EchoLoadResult run_echo_load(int port, int clients, std::size_t bytes_each,
                             std::chrono::seconds timeout) {
  std::vector<unsigned char> pattern(1 << 20);
  std::mt19937 random(20261121);
  for (auto& byte : pattern) byte = static_cast<unsigned char>(random());

  EchoLoadResult result;
  const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
  std::vector<Client> all(static_cast<std::size_t>(clients));
  for (std::size_t i = 0; i < all.size(); ++i) {
    all[i].fd = open_client(port);
    all[i].offset = (i * 7919) % pattern.size();
    epoll_event event{EPOLLIN | EPOLLOUT, {.u64 = i}};
    if (all[i].fd < 0 || ::epoll_ctl(epoll, EPOLL_CTL_ADD, all[i].fd, &event) != 0) {
      all[i].done = true;
      ++result.failed;
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<epoll_event> events(512);
  std::vector<unsigned char> chunk(64 * 1024);
  int open = clients - result.failed;
  auto finish = [&](Client& c, bool ok) {
    ::close(c.fd);
    c.done = true;
    --open;
    if (!ok) ++result.failed;
  };
  while (open > 0 && std::chrono::steady_clock::now() < deadline) {
    const int n = ::epoll_wait(epoll, events.data(), static_cast<int>(events.size()), 1000);
    for (int e = 0; e < n; ++e) {
      Client& c = all[events[static_cast<std::size_t>(e)].data.u64];
      const auto flags = events[static_cast<std::size_t>(e)].events;
      if (c.done) continue;
      if ((flags & EPOLLOUT) != 0 && c.sent < bytes_each) {
        const std::size_t start = (c.offset + c.sent) % pattern.size();
        const std::size_t size =
            std::min({bytes_each - c.sent, pattern.size() - start, chunk.size()});
        const ssize_t w = ::send(c.fd, pattern.data() + start, size, MSG_NOSIGNAL);
        if (w > 0) {
          c.sent_hash = fnv1a(c.sent_hash, pattern.data() + start, static_cast<std::size_t>(w));
          c.sent += static_cast<std::size_t>(w);
          if (c.sent == bytes_each) {
            epoll_event event{EPOLLIN, {.u64 = static_cast<std::uint64_t>(&c - all.data())}};
            ::epoll_ctl(epoll, EPOLL_CTL_MOD, c.fd, &event);
          }
        } else if (w < 0 && errno != EAGAIN) {
          if (result.first_error.empty()) result.first_error = std::strerror(errno);
          finish(c, false);
          continue;
        }
      }
      if ((flags & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) {
        const ssize_t r = ::recv(c.fd, chunk.data(), chunk.size(), 0);
        if (r > 0) {
          c.received_hash = fnv1a(c.received_hash, chunk.data(), static_cast<std::size_t>(r));
          c.received += static_cast<std::size_t>(r);
        } else if (r == 0 || errno != EAGAIN) {
          if (result.first_error.empty()) {
            result.first_error = r == 0 ? "closed early" : std::strerror(errno);
          }
          finish(c, false);
          continue;
        }
        if (c.received >= bytes_each) {
          if (c.received == bytes_each && c.received_hash == c.sent_hash) {
            ++result.completed;
          } else {
            ++result.mismatched;
          }
          finish(c, true);
        }
      }
    }
  }
  for (auto& c : all) {
    if (!c.done) {
      ::close(c.fd);
      ++result.failed;
      if (result.first_error.empty()) result.first_error = "timed out";
    }
  }
  ::close(epoll);
  return result;
}

}  // namespace soket::test
