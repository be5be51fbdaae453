// Attack: the server is told to stop (SIGTERM, sent by the test) while clients stream at it
// and slow readers have much queued. Each client must get back every byte the server had
// received from it, in order, and then an orderly end of stream: never a reset.
//
// usage: attack_uring_term_streams HOST PORT STREAMERS SLOW_READERS
// Prints "streaming" once every client had some echo back (the test then sends SIGTERM),
// then "echoed BYTES" in all; exits 0 when every client got a clean, correct end, 1 if not.
#include <algorithm>
#include <cstring>
#include <vector>

#include "hostile/attackers/uring_peer.h"

using namespace soket::attack;

namespace {

struct Client {
  int fd = -1;
  bool slow = false;
  std::uint64_t sent = 0, echoed = 0;
  bool ended = false;
};

constexpr std::uint64_t kSlowSends = 1u << 20;  // A slow reader sends this much, then reads.
constexpr double kSlowRate = 1 << 20;           // And reads at most this many bytes a second.

// Writes the client's stream on as far as the socket takes it.
void write_some(Client& c, int index) {
  if (c.slow && c.sent >= kSlowSends) return;
  char chunk[16 * 1024];
  for (std::size_t i = 0; i < sizeof chunk; ++i) chunk[i] = stream_byte(index, c.sent + i);
  const ssize_t n = ::send(c.fd, chunk, sizeof chunk, MSG_NOSIGNAL);
  if (n > 0) c.sent += static_cast<std::uint64_t>(n);
  // EAGAIN: the server is not reading (paused, or shutting down); EPIPE after its close.
}

// Reads (a slow reader: at most kSlowRate) and checks the echo against the stream.
void read_some(Client& c, int index, double seconds) {
  char into[64 * 1024];
  std::size_t want = sizeof into;
  if (c.slow) {
    const double allowed = seconds * kSlowRate;
    if (static_cast<double>(c.echoed) >= allowed) return;
    want = std::min(want, static_cast<std::size_t>(allowed - static_cast<double>(c.echoed)) + 1);
  }
  const ssize_t n = ::recv(c.fd, into, want, 0);
  if (n == 0) {
    c.ended = true;
    return;
  }
  if (n < 0) {
    if (errno == EAGAIN) return;
    fail("client " + std::to_string(index) + " was reset after " + std::to_string(c.echoed) +
         " echoed bytes: " + std::strerror(errno));
  }
  for (ssize_t i = 0; i < n; ++i) {
    if (into[i] != stream_byte(index, c.echoed + static_cast<std::uint64_t>(i))) {
      fail("client " + std::to_string(index) + ": the echo differs at byte " +
           std::to_string(c.echoed + static_cast<std::uint64_t>(i)));
    }
  }
  c.echoed += static_cast<std::uint64_t>(n);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) usage("attack_uring_term_streams HOST PORT STREAMERS SLOW_READERS");
  ignore_sigpipe();
  const auto to = target(argv[1], argv[2]);
  const int streamers = std::atoi(argv[3]);
  const int slow = std::atoi(argv[4]);
  std::vector<Client> clients(static_cast<std::size_t>(streamers + slow));
  for (std::size_t i = 0; i < clients.size(); ++i) {
    clients[i].slow = static_cast<int>(i) >= streamers;
    clients[i].fd = connect_to(to, clients[i].slow ? 8192 : 0);
    if (clients[i].fd < 0) fail("client " + std::to_string(i) + " could not connect");
  }
  bool announced = false;
  const auto start = Clock::now();
  const auto deadline = start + 60s;
  while (Clock::now() < deadline) {
    bool all_ended = true, all_echoed = true;
    std::vector<pollfd> polls;
    for (auto& c : clients) {
      if (!c.ended) polls.push_back({c.fd, POLLIN | POLLOUT, 0});
    }
    if (polls.empty()) break;
    ::poll(polls.data(), polls.size(), 50);
    for (std::size_t i = 0; i < clients.size(); ++i) {
      Client& c = clients[i];
      if (c.ended) continue;
      write_some(c, static_cast<int>(i));
      read_some(c, static_cast<int>(i),
                std::chrono::duration<double>(Clock::now() - start).count());
      all_ended = all_ended && c.ended;
      all_echoed = all_echoed && c.echoed >= (c.slow ? 64u << 10 : 1u << 20);
    }
    if (all_ended) break;
    if (all_echoed && !announced) {
      std::printf("streaming\n");
      std::fflush(stdout);
      announced = true;
    }
  }
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < clients.size(); ++i) {
    if (!clients[i].ended) fail("client " + std::to_string(i) + " never saw the end of stream");
    total += clients[i].echoed;
    ::close(clients[i].fd);
  }
  std::printf("echoed %llu\n", static_cast<unsigned long long>(total));
  return 0;
}
