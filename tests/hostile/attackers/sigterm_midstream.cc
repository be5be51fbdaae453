// attack_sigterm_midstream HOST PORT STREAMERS SLOW_READERS: peers that are mid-transfer when
// the server is told to stop. Streamers send and read as fast as they can; slow readers send
// without pause but read 8 KiB per 10 ms through a small receive buffer. Once every peer has
// had echoes back it prints "streaming" (the test then sends SIGTERM to the server); each
// peer goes on until the server's FIN (or an error, or 60 s). Every byte that comes back
// must be the next byte of what that peer sent. It prints a line per peer and
// "received TOTAL ENDED_BY_EOF/PEERS"; exit 0 when every peer ended with a FIN, not a reset.
// (The test compares TOTAL with the bytes the server says it echoed.)
#include <cstdio>
#include <string>
#include <vector>

#include "hostile/attackers/stream_peer.h"

using namespace soket::attack;

namespace {

struct Peer {
  int fd = -1;
  bool slow = false;
  std::size_t sent = 0, received = 0;
  bool writing = true, done = false, corrupt = false;
  std::string ended = "timeout";
  Clock::time_point next_read{};
};

char pattern(std::size_t offset, std::size_t peer) {
  return static_cast<char>((offset + peer * 13) % 251);
}

void write_some(Peer& peer, std::size_t index) {
  char chunk[16 * 1024];
  for (std::size_t i = 0; i < sizeof chunk; ++i) chunk[i] = pattern(peer.sent + i, index);
  const ssize_t n = ::send(peer.fd, chunk, sizeof chunk, MSG_NOSIGNAL);
  if (n > 0) peer.sent += static_cast<std::size_t>(n);
  if (n < 0 && errno != EAGAIN) peer.writing = false;  // Reset or shut: keep reading.
}

void read_some(Peer& peer, std::size_t index, std::size_t limit) {
  char chunk[64 * 1024];
  for (std::size_t got = 0; got < limit;) {
    const ssize_t n = ::recv(peer.fd, chunk, std::min(sizeof chunk, limit - got), 0);
    if (n == 0) {
      peer.done = true;
      peer.ended = "eof";
      return;
    }
    if (n < 0) {
      if (errno == EAGAIN) return;
      peer.done = true;
      peer.ended = errno == ECONNRESET ? "reset" : "error";
      return;
    }
    for (ssize_t i = 0; i < n; ++i) {
      if (chunk[i] != pattern(peer.received + static_cast<std::size_t>(i), index))
        peer.corrupt = true;
    }
    peer.received += static_cast<std::size_t>(n);
    got += static_cast<std::size_t>(n);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) usage("attack_sigterm_midstream HOST PORT STREAMERS SLOW_READERS");
  ignore_sigpipe();
  const auto target = soket::attack::target(argv[1], argv[2]);
  const int streamers = std::atoi(argv[3]), slow = std::atoi(argv[4]);
  if (streamers < 0 || slow < 0 || streamers + slow < 1 || streamers + slow > 200) {
    usage("1..200 peers in all");
  }
  std::vector<Peer> peers(static_cast<std::size_t>(streamers + slow));
  for (std::size_t i = 0; i < peers.size(); ++i) {
    peers[i].slow = i >= static_cast<std::size_t>(streamers);
    peers[i].fd =
        connect_to(target, loopback_source(static_cast<int>(i)), peers[i].slow ? 16384 : 0);
    if (peers[i].fd < 0) fail("cannot connect");
  }
  const auto deadline = Clock::now() + 60s;
  bool announced = false;
  std::vector<pollfd> polled;
  while (Clock::now() < deadline) {
    polled.clear();
    std::size_t open = 0, warmed = 0;
    for (auto& peer : peers) {
      if (peer.received >= 128 * 1024) ++warmed;
      if (peer.done) continue;
      ++open;
      short events = POLLIN;
      if (peer.writing) events |= POLLOUT;
      polled.push_back({peer.fd, events, 0});
    }
    if (open == 0) break;
    if (!announced && warmed == peers.size()) {
      std::printf("streaming\n");
      std::fflush(stdout);
      announced = true;
    }
    if (::poll(polled.data(), polled.size(), 10) < 0 && errno != EINTR) fail("poll failed");
    const auto now = Clock::now();
    std::size_t k = 0;
    for (std::size_t i = 0; i < peers.size(); ++i) {
      auto& peer = peers[i];
      if (peer.done) continue;
      const short revents = polled[k++].revents;
      if (peer.writing && (revents & POLLOUT) != 0) write_some(peer, i);
      if (!peer.slow) {
        read_some(peer, i, 1 << 20);
      } else if (now >= peer.next_read) {
        read_some(peer, i, 8 * 1024);
        peer.next_read = now + 10ms;
      }
    }
  }
  std::size_t total = 0, clean = 0;
  bool corrupt = false;
  for (std::size_t i = 0; i < peers.size(); ++i) {
    const auto& peer = peers[i];
    std::printf("peer %zu (%s): sent %zu, received %zu, ended by %s%s\n", i,
                peer.slow ? "slow reader" : "streamer", peer.sent, peer.received,
                peer.ended.c_str(), peer.corrupt ? ", CORRUPT" : "");
    total += peer.received;
    if (peer.ended == "eof") ++clean;
    corrupt = corrupt || peer.corrupt;
    ::close(peer.fd);
  }
  std::printf("received %zu %zu/%zu\n", total, clean, peers.size());
  if (!announced) fail("the peers never all got echoes back");
  if (corrupt) fail("an echo was not the prefix of what its peer sent");
  if (clean != peers.size()) fail("a peer's connection ended by a reset or timeout, not a FIN");
  return 0;
}
