// attack_never_read HOST PORT SERVER_PID CLIENTS MODE RSS_LIMIT_KIB: CLIENTS peers send without
// ever reading (MODE echo: bulk bytes; MODE transform: the shortest lines, whose replies are
// ~20x longer), each up to 32 MiB (echo) or 4 MiB (transform: 80 MiB of replies) or until
// its sends have stalled for 2 s: far past the limit, were it ignored. Meanwhile the
// server's VmRSS (/proc/SERVER_PID/status) is sampled every 50 ms and must stay under
// RSS_LIMIT_KIB; at the end, with every peer still holding its unread replies, a fresh client
// must be answered. Prints "sent S bytes, peak VmRSS P KiB (limit L), fresh client answered".
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "hostile/attackers/stream_peer.h"

using namespace soket::attack;

namespace {

// A transform client's check: one line in, its reply line out.
bool line_round_trip(const soket::net::Address& to) {
  const int fd = connect_to(to);
  if (fd < 0) return false;
  const std::string line = "still there?\n";
  std::string got;
  bool ok = ::send(fd, line.data(), line.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(line.size());
  const auto deadline = Clock::now() + 5s;
  while (ok && got.find('\n') == std::string::npos && wait_for(fd, POLLIN, deadline)) {
    char chunk[512];
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) break;
    got.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return ok && got.rfind("STILL THERE? | 12 karakter", 0) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7)
    usage("attack_never_read HOST PORT SERVER_PID CLIENTS echo|transform RSS_LIMIT_KIB");
  ignore_sigpipe();
  const auto target = soket::attack::target(argv[1], argv[2]);
  const std::string pid = argv[3], mode = argv[5];
  const int clients = std::atoi(argv[4]);
  const long limit = std::atol(argv[6]);
  if (clients < 1 || clients > 500 || (mode != "echo" && mode != "transform"))
    usage("bad arguments");
  const std::size_t kEach = mode == "echo" ? 32u << 20 : 4u << 20;
  std::string chunk;
  while (chunk.size() < 64 * 1024) chunk += mode == "echo" ? "0123456789abcdef" : "a\n";
  struct Peer {
    int fd;
    std::size_t sent = 0;
    Clock::time_point progress;
    bool stalled = false;
  };
  std::vector<Peer> peers;
  for (int i = 0; i < clients; ++i) {
    // A small receive buffer: what the server sends stays in the server.
    const int fd = connect_to(target, loopback_source(i), 4096);
    if (fd < 0) fail("cannot connect");
    peers.push_back({fd, 0, Clock::now()});
  }
  long peak = vm_rss_kib(std::stol(pid));
  if (peak < 0) fail("cannot read the server's VmRSS");
  std::size_t total = 0;
  const auto deadline = Clock::now() + 60s;
  auto next_sample = Clock::now();
  for (std::size_t stalled = 0; stalled < peers.size() && Clock::now() < deadline;) {
    std::vector<pollfd> polled;
    for (const auto& peer : peers) polled.push_back({peer.stalled ? -1 : peer.fd, POLLOUT, 0});
    (void)::poll(polled.data(), polled.size(), 20);
    const auto now = Clock::now();
    for (std::size_t i = 0; i < peers.size(); ++i) {
      auto& peer = peers[i];
      if (peer.stalled) continue;
      if ((polled[i].revents & POLLOUT) != 0) {
        const ssize_t n =
            ::send(peer.fd, chunk.data(), std::min(chunk.size(), kEach - peer.sent), MSG_NOSIGNAL);
        if (n > 0) {
          peer.sent += static_cast<std::size_t>(n);
          total += static_cast<std::size_t>(n);
          peer.progress = now;
        } else if (n < 0 && errno != EAGAIN) {
          fail("the server closed a peer that was only slow to read");
        }
      }
      if (peer.sent >= kEach || now - peer.progress > 2s) {
        peer.stalled = true;
        ++stalled;
      }
    }
    if (now >= next_sample) {
      peak = std::max(peak, vm_rss_kib(std::stol(pid)));
      next_sample = now + 50ms;
    }
  }
  peak = std::max(peak, vm_rss_kib(std::stol(pid)));
  const bool answered =
      mode == "echo" ? echo_round_trip(target, "still there?") : line_round_trip(target);
  std::printf("sent %zu bytes, peak VmRSS %ld KiB (limit %ld), fresh client %s\n", total, peak,
              limit, answered ? "answered" : "NOT answered");
  for (const auto& peer : peers) ::close(peer.fd);
  if (peak > limit) fail("the server's memory passed the limit");
  if (!answered) fail("a fresh client was not answered while the peers held their replies");
  return 0;
}
