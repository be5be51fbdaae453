#include "clients/byte_relay.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "net/fd.h"
#include "net/socket_ops.h"

namespace soket::clients {
namespace {

using namespace std::chrono_literals;

// An unlinked temporary file holding `bytes`, read from its start: a stdin that never blocks.
net::Fd file_with(const std::string& bytes) {
  char name[] = "/tmp/soket-relay-XXXXXX";
  net::Fd fd(::mkstemp(name));
  ::unlink(name);
  EXPECT_EQ(::write(fd.get(), bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  ::lseek(fd.get(), 0, SEEK_SET);
  return fd;
}

std::string contents(int fd) {
  std::string text;
  ::lseek(fd, 0, SEEK_SET);
  char chunk[4096];
  for (ssize_t n; (n = ::read(fd, chunk, sizeof chunk)) > 0;) text.append(chunk, n);
  return text;
}

std::pair<net::Fd, net::Fd> socket_pair(int type) {
  int fds[2];
  EXPECT_EQ(::socketpair(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
  return {net::Fd(fds[0]), net::Fd(fds[1])};
}

TEST(ByteRelay, StreamSendsAllThenShutsDownAndPrintsTheReply) {
  std::string input;
  for (int i = 0; i < 50'000; ++i) input.push_back(static_cast<char>(i * 7));
  auto in = file_with(input);
  auto out = file_with("");
  auto [ours, peer] = socket_pair(SOCK_STREAM);
  ASSERT_EQ(::write(peer.get(), "reply", 5), 5);
  ::shutdown(peer.get(), SHUT_WR);
  ByteRelay relay(in.get(), out.get(), 10s);
  const auto outcome = relay.run_stream(ours.get(), StreamEnd::both_done);
  EXPECT_EQ(outcome.ending, RelayEnding::peer_closed) << outcome.error.message();
  EXPECT_EQ(outcome.bytes_sent, input.size());
  EXPECT_EQ(outcome.bytes_received, 5u);
  EXPECT_EQ(contents(out.get()), "reply");
  EXPECT_TRUE(relay.input_ended());
  // The peer got every byte, then EOF (our shutdown).
  std::string got;
  std::vector<std::byte> chunk(1 << 16);
  for (int i = 0; i < 1000; ++i) {
    auto n = net::try_read(peer.get(), chunk);
    ASSERT_TRUE(n.ok()) << n.error().message();
    if (*n == 0) break;
    got.append(as_text(std::span(chunk).first(*n)));
  }
  EXPECT_EQ(got, input);
}

TEST(ByteRelay, IdleEndsASilentStream) {
  auto [ours, peer] = socket_pair(SOCK_STREAM);
  auto in = file_with("");
  auto out = file_with("");
  ByteRelay relay(in.get(), out.get(), 100ms);
  EXPECT_EQ(relay.run_stream(ours.get(), StreamEnd::both_done).ending, RelayEnding::idle);
}

TEST(ByteRelay, DatagramsAreLinesOrTheMostOneCarries) {
  const std::string long_line(70'000, 'x');
  auto in = file_with("a\nbc\n" + long_line + "\ntail");
  auto out = file_with("");
  auto [ours, peer] = socket_pair(SOCK_DGRAM);
  ASSERT_TRUE(net::try_write(peer.get(), soket::as_bytes("answer")).ok());
  ByteRelay relay(in.get(), out.get(), std::nullopt);
  DatagramRelayOptions options;
  options.linger_after_input = 200ms;
  const auto outcome = relay.run_datagrams(ours.get(), options);
  EXPECT_EQ(outcome.ending, RelayEnding::idle) << outcome.error.message();
  EXPECT_EQ(contents(out.get()), "answer");
  std::vector<std::string> datagrams;
  std::vector<std::byte> chunk(1 << 17);
  for (int i = 0; i < 10; ++i) {
    auto n = net::try_read(peer.get(), chunk);
    if (!n) break;
    datagrams.emplace_back(as_text(std::span(chunk).first(*n)));
  }
  const std::vector<std::string> expected = {"a\n", "bc\n", long_line.substr(0, 65'507),
                                             long_line.substr(65'507) + "\n", "tail"};
  EXPECT_EQ(datagrams, expected);
}

}  // namespace
}  // namespace soket::clients
