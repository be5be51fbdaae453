// try_receive_from and wait_any: what the DNS client's many UDP exchanges wait and read with.
#include <gtest/gtest.h>
#include <poll.h>

#include "net/deadline_io.h"
#include "net/socket_ops.h"

namespace soket::net {
namespace {

using namespace std::chrono_literals;

Fd bound_udp(const char* host) {
  auto fd = open_bound_datagram(Address::parse(host, 0).value(), SocketOptions{});
  EXPECT_TRUE(fd.ok());
  return std::move(fd).value();
}

TEST(DatagramWait, WaitAnySaysWhichIsReadyAndReceiveFromSaysWho) {
  Fd quiet = bound_udp("127.0.0.1"), busy = bound_udp("127.0.0.1");
  Fd sender = bound_udp("127.0.0.2");  // Another origin: its address is what `from` must say.
  const auto to = local_address(busy.get()).value();
  const std::byte payload[] = {std::byte{1}, std::byte{2}, std::byte{3}};
  ASSERT_TRUE(try_send_to(sender.get(), payload, to).ok());
  pollfd fds[2] = {{quiet.get(), POLLIN, 0}, {busy.get(), POLLIN, 0}};
  auto ready = wait_any(fds, Clock::now() + 5s);
  ASSERT_TRUE(ready.ok()) << ready.error().message();
  EXPECT_EQ(*ready, 1u);
  EXPECT_EQ(fds[0].revents, 0);
  EXPECT_NE(fds[1].revents & POLLIN, 0);

  std::byte into[2];  // Smaller than the datagram: cut to its size, the rest dropped.
  Address from;
  auto got = try_receive_from(busy.get(), into, from);
  ASSERT_TRUE(got.ok()) << got.error().message();
  EXPECT_EQ(*got, 2u);
  EXPECT_EQ(from, local_address(sender.get()).value());
  EXPECT_EQ(from.host(), "127.0.0.2");
  auto again = try_receive_from(busy.get(), into, from);
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(is_would_block(again.error()));
}

TEST(DatagramWait, WaitAnyReturnsZeroAtTheDeadline) {
  Fd quiet = bound_udp("127.0.0.1");
  pollfd fds[1] = {{quiet.get(), POLLIN, 0}};
  const auto start = Clock::now();
  auto ready = wait_any(fds, start + 50ms);
  ASSERT_TRUE(ready.ok());
  EXPECT_EQ(*ready, 0u);
  EXPECT_GE(Clock::now() - start, 50ms);
}

}  // namespace
}  // namespace soket::net
