// attack_splice_crosstalk HOST PORT STREAMERS MIB_EACH RESETTERS: STREAMERS peers each send
// MIB_EACH MiB of bytes no other peer sends (a function of the peer and the offset) in bulk
// writes, reading their echo as they go, while RESETTERS peers at a time send 1 MiB of their
// own, read a little and reset, again and again until the streamers are done. An echo server
// that moves bulk bytes through a shared pipe (splice) and leaves a reset peer's bytes in it
// would hand them to the next peer. Every streamer must get back exactly its own bytes.
// Prints "streamers N x M MiB, each got exactly its own bytes; resets R"; exit 1 otherwise.
#include <cstdint>
#include <cstdio>
#include <vector>

#include "hostile/attackers/stream_peer.h"

using namespace soket::attack;

namespace {

// The byte at `offset` of the stream of peer `peer`: splitmix64 of both, so that no two
// peers (nor two places of one stream) agree for long.
std::uint8_t stream_byte(std::uint64_t peer, std::uint64_t offset) {
  std::uint64_t z = (peer << 48) ^ (offset >> 3);
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<std::uint8_t>(z >> (8 * (offset & 7)));
}

struct Streamer {
  int fd = -1;
  std::uint64_t peer = 0;
  std::size_t sent = 0, received = 0;
};

// Sends what the socket takes of the streamer's next bytes.
bool send_some(Streamer& s, std::size_t total) {
  std::uint8_t chunk[64 * 1024];
  while (s.sent < total) {
    const std::size_t n = std::min(sizeof chunk, total - s.sent);
    for (std::size_t i = 0; i < n; ++i) chunk[i] = stream_byte(s.peer, s.sent + i);
    const ssize_t put = ::send(s.fd, chunk, n, MSG_NOSIGNAL);
    if (put < 0 && errno == EAGAIN) return true;
    if (put <= 0) return false;
    s.sent += static_cast<std::size_t>(put);
  }
  return true;
}

// Reads what came back and checks each byte; fails the attack at the first stranger.
bool receive_some(Streamer& s) {
  std::uint8_t chunk[64 * 1024];
  for (int reads = 0; reads < 64; ++reads) {
    const ssize_t got = ::recv(s.fd, chunk, sizeof chunk, 0);
    if (got < 0 && errno == EAGAIN) return true;
    if (got <= 0) return false;
    for (ssize_t i = 0; i < got; ++i) {
      if (chunk[i] != stream_byte(s.peer, s.received + static_cast<std::size_t>(i))) {
        fail("streamer " + std::to_string(s.peer) + " got a byte at offset " +
             std::to_string(s.received + static_cast<std::size_t>(i)) + " that it never sent");
      }
    }
    s.received += static_cast<std::size_t>(got);
    if (s.received > s.sent) fail("streamer " + std::to_string(s.peer) + " got more than it sent");
  }
  return true;
}

// One round of resetters: each sends up to 1 MiB of its own, reads a little, resets.
void reset_round(const soket::net::Address& target, int resetters, std::uint64_t& next_peer,
                 long& resets) {
  std::vector<int> fds;
  for (int i = 0; i < resetters; ++i) {
    const int fd = connect_to(target, {}, i % 2 == 0 ? 4096 : 0);
    if (fd >= 0) fds.push_back(fd);
  }
  for (std::size_t i = 0; i < fds.size(); ++i) {
    Streamer r{fds[i], next_peer++};
    (void)send_some(r, 1 << 20);
    // Half read a little first; half reset at once, while the server is mid-splice.
    char little[512];
    if (i % 2 == 0) (void)::recv(fds[i], little, sizeof little, 0);
    close_with_reset(fds[i]);
    ++resets;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) usage("attack_splice_crosstalk HOST PORT STREAMERS MIB_EACH RESETTERS");
  ignore_sigpipe();
  const auto target = soket::attack::target(argv[1], argv[2]);
  const int count = std::atoi(argv[3]);
  const int mib = std::atoi(argv[4]);
  const int resetters = std::atoi(argv[5]);
  if (count < 1 || count > 64 || mib < 1 || mib > 256 || resetters < 0 || resetters > 64)
    usage("1..64 streamers, 1..256 MiB each, 0..64 resetters");
  const std::size_t total = static_cast<std::size_t>(mib) << 20;
  std::vector<Streamer> streamers(static_cast<std::size_t>(count));
  for (std::size_t i = 0; i < streamers.size(); ++i) {
    streamers[i].peer = i + 1;
    streamers[i].fd = connect_to(target);
    if (streamers[i].fd < 0) fail("cannot connect streamer " + std::to_string(i + 1));
  }
  std::uint64_t next_peer = 1000;  // Resetters' streams differ from every streamer's.
  long resets = 0;
  const auto deadline = Clock::now() + 120s;
  for (int round = 0; round < 1'000'000; ++round) {
    if (Clock::now() > deadline) fail("the streams did not finish within 120 s");
    bool all_done = true;
    std::vector<pollfd> wanted;
    for (auto& s : streamers) {
      if (s.received == total) continue;
      all_done = false;
      const short events = static_cast<short>(POLLIN | (s.sent < total ? POLLOUT : 0));
      wanted.push_back({s.fd, events, 0});
    }
    if (all_done) break;
    ::poll(wanted.data(), wanted.size(), 100);
    for (auto& s : streamers) {
      if (s.received == total) continue;
      if (!send_some(s, total)) fail("streamer " + std::to_string(s.peer) + ": send failed");
      if (!receive_some(s)) {
        fail("streamer " + std::to_string(s.peer) + " was cut off after " +
             std::to_string(s.received) + " of " + std::to_string(total) + " bytes");
      }
    }
    if (resetters > 0 && round % 2 == 0) reset_round(target, resetters, next_peer, resets);
  }
  for (auto& s : streamers) {
    if (s.received != total) fail("streamer " + std::to_string(s.peer) + " never finished");
    ::close(s.fd);
  }
  std::printf("streamers %d x %d MiB, each got exactly its own bytes; resets %ld\n", count, mib,
              resets);
  return 0;
}
