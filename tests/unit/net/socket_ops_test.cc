#include "net/socket_ops.h"

#include <gtest/gtest.h>
#include <netdb.h>
#include <poll.h>

#include "net/deadline_io.h"

namespace soket::net {
namespace {

using namespace std::chrono_literals;

Fd listen_loopback(const char* host = "127.0.0.1") {
  auto fd = open_listener(Address::parse(host, 0).value(), SocketOptions{}, 16);
  EXPECT_TRUE(fd.ok());
  return std::move(fd).value();
}

TEST(SocketOps, ListenerOnPortZeroGetsAnEphemeralPort) {
  Fd listener = listen_loopback();
  auto local = local_address(listener.get());
  ASSERT_TRUE(local.ok());
  EXPECT_NE(local->port(), 0);
  EXPECT_EQ(local->host(), "127.0.0.1");
}

TEST(SocketOps, SecondBindWithoutReusePortIsAddressInUse) {
  Fd listener = listen_loopback();
  auto local = local_address(listener.get()).value();
  auto second = open_listener(local, SocketOptions{}, 16);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error(), std::errc::address_in_use);
}

// On UDP, SO_REUSEADDR would let a second socket bind the very address and port of a first
// that set it too (as Knot and many servers do) and take its datagrams: a server started on
// a busy port must fail instead, as a TCP one does.
TEST(SocketOps, DatagramPortHeldWithReuseAddressIsAddressInUse) {
  const int holder = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(holder, 0);
  const int one = 1;
  ASSERT_EQ(::setsockopt(holder, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one), 0);
  auto loopback = Address::parse("127.0.0.1", 0).value();
  ASSERT_EQ(::bind(holder, loopback.data(), loopback.length()), 0);
  auto held = local_address(holder).value();
  auto second = open_bound_datagram(held, SocketOptions{});
  ::close(holder);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error(), std::errc::address_in_use);
}

TEST(SocketOps, ConnectWriteReadAndAccept) {
  for (const char* host : {"127.0.0.1", "::1"}) {
    Fd listener = listen_loopback(host);
    auto local = local_address(listener.get()).value();
    auto client = connect_any({local}, Transport::tcp, Clock::now() + 5s);
    ASSERT_TRUE(client.ok()) << host << ": " << client.error().message();
    ASSERT_TRUE(wait_ready(listener.get(), POLLIN, Clock::now() + 5s).ok());
    auto accepted = try_accept(listener.get());
    ASSERT_TRUE(accepted.ok());
    EXPECT_EQ(accepted->peer.family(), local.family());

    const std::string message = "ping";
    ASSERT_TRUE(write_all(client->fd.get(), soket::as_bytes(message), Clock::now() + 5s).ok());
    std::byte into[16];
    auto got = read_some(accepted->fd.get(), into, Clock::now() + 5s);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(soket::as_text(std::span(into, *got)), message);
  }
}

TEST(SocketOps, ConnectToAClosedPortIsRefused) {
  Fd listener = listen_loopback();
  auto local = local_address(listener.get()).value();
  listener.reset();  // Nothing listens there now.
  auto client = connect_any({local}, Transport::tcp, Clock::now() + 5s);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.error(), std::errc::connection_refused);
}

TEST(SocketOps, ReadWithNothingToReadTimesOut) {
  Fd listener = listen_loopback();
  auto client =
      connect_any({local_address(listener.get()).value()}, Transport::tcp, Clock::now() + 5s);
  ASSERT_TRUE(client.ok());
  std::byte into[4];
  const auto start = Clock::now();
  auto got = read_some(client->fd.get(), into, Clock::now() + 50ms);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error(), std::errc::timed_out);
  EXPECT_GE(Clock::now() - start, 40ms);
}

TEST(SocketOps, TryReadOnEmptySocketWouldBlock) {
  Fd listener = listen_loopback();
  auto client =
      connect_any({local_address(listener.get()).value()}, Transport::tcp, Clock::now() + 5s);
  ASSERT_TRUE(client.ok());
  std::byte into[4];
  auto got = try_read(client->fd.get(), into);
  ASSERT_FALSE(got.ok());
  EXPECT_TRUE(is_would_block(got.error()));
}

TEST(SocketOps, DatagramRoundTrip) {
  auto server = open_bound_datagram(Address::parse("127.0.0.1", 0).value(), SocketOptions{});
  ASSERT_TRUE(server.ok());
  auto local = local_address(server->get()).value();
  auto client = connect_any({local}, Transport::udp, Clock::now() + 5s);
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE(send_datagram(client->fd.get(), {}, Clock::now() + 5s).ok());  // Empty is valid.
  std::byte into[8];
  auto got = read_some(server->get(), into, Clock::now() + 5s);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, 0u);
}

TEST(SocketOptions, AppliesEveryOption) {
  SocketOptions options;
  options.reuse_port = true;
  options.no_delay = true;
  options.keep_alive = true;
  options.linger = std::chrono::seconds(1);
  options.receive_buffer = 65536;
  options.send_buffer = 65536;
  auto fd = open_socket(AF_INET, SOCK_STREAM);
  ASSERT_TRUE(fd.ok());
  EXPECT_TRUE(apply_bind_options(fd->get(), options, /*is_tcp=*/true).ok());
  EXPECT_TRUE(apply_connection_options(fd->get(), options, true).ok());
  int value = 0;
  socklen_t length = sizeof value;
  ASSERT_EQ(::getsockopt(fd->get(), SOL_SOCKET, SO_KEEPALIVE, &value, &length), 0);
  EXPECT_EQ(value, 1);
  ASSERT_EQ(::getsockopt(fd->get(), SOL_SOCKET, SO_REUSEPORT, &value, &length), 0);
  EXPECT_EQ(value, 1);
}

}  // namespace
}  // namespace soket::net
