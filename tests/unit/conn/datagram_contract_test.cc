// The datagram contract (conn/datagram_endpoint.h), held against both engines: each case runs
// on epoll (UdpEndpoint) and on io_uring (UringUdpEndpoint), made by the loop's pool as the
// server makes them. The io_uring cases are skipped, with the reason, only where the kernel
// refuses io_uring.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <cstdlib>

#include <memory>
#include <string>
#include <vector>

#include "conn/connection_pool.h"
#include "conn/engine.h"
#include "net/socket_ops.h"
#include "unit/conn/engine_case.h"

namespace soket::conn {
namespace {

using namespace std::chrono_literals;

struct NoConnections final : ConnectionEvents {
  void on_data(Connection&, Buffer& input) noexcept override { input.clear(); }
  void on_close(Connection&, std::error_code) noexcept override {}
};

// Sends `copies` datagrams of its own making for each one, then the payload itself back.
struct Replier final : DatagramEvents {
  int copies = 0;
  std::uint64_t seen = 0;
  void on_datagram(DatagramEndpoint& endpoint, std::span<const std::byte> payload,
                   const net::Address& from) noexcept override {
    ++seen;
    for (int i = 0; i < copies; ++i) {
      const std::string text = "copy " + std::to_string(i);
      endpoint.send_to(std::as_bytes(std::span(text)), from);
    }
    endpoint.send_to(payload, from);
  }
};

net::Fd bound_udp(const char* host = "127.0.0.1") {
  auto fd = net::open_bound_datagram(net::Address::parse(host, 0).value(), {});
  EXPECT_TRUE(fd.ok());
  return fd ? std::move(fd).value() : net::Fd();
}

// Room for a burst: root may set a receive buffer past rmem_max.
void make_room(int fd) {
  const int bytes = 8 * 1024 * 1024;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes);
}

// Every datagram waiting on `fd`, in order, waiting up to 5 s for the first `expected`.
std::vector<std::string> received(int fd, std::size_t expected) {
  std::vector<std::string> got;
  std::vector<char> chunk(70000);
  const auto deadline = Clock::now() + 5s;
  while (Clock::now() < deadline) {
    const int flags = got.size() < expected ? 0 : MSG_DONTWAIT;
    const timeval wait{0, 100'000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
    const ssize_t n = ::recv(fd, chunk.data(), chunk.size(), flags);
    if (n < 0) {
      if (got.size() >= expected) break;
      continue;
    }
    got.emplace_back(chunk.data(), static_cast<std::size_t>(n));
  }
  return got;
}

void send_text(int from, const std::string& text, const net::Address& to) {
  ASSERT_EQ(::sendto(from, text.data(), text.size(), 0, to.data(), to.length()),
            static_cast<ssize_t>(text.size()));
}

// Runs `loop` until `done()` or 5 s, one iteration at a time.
template <typename Done>
void run_until(reactor::EventLoop& loop, Done done) {
  const auto deadline = Clock::now() + 5s;
  while (!done() && Clock::now() < deadline) {
    loop.run_after(10ms, [&] { loop.stop(); });
    loop.run();
  }
}

class DatagramContract : public EngineCase {
 protected:
  // A loop's pool on this case's engine, serving `fd`; `endpoint` is null when either could
  // not be made. Each case declares it after its loop and events, so that it goes first.
  struct Served {
    std::unique_ptr<ConnectionPool> pool;
    DatagramEndpoint* endpoint = nullptr;
  };
  Served serve(reactor::EventLoop& loop, int fd, DatagramEvents& events) {
    auto pool = make_connection_pool(GetParam(), loop, no_connections_, {}, nullptr);
    EXPECT_TRUE(pool.ok()) << pool.error().message();
    if (!pool) return {};
    EXPECT_EQ((*pool)->engine(), name(GetParam()));  // The engine asked for is the one made.
    auto endpoint = (*pool)->add_datagrams(fd, false, events);
    EXPECT_TRUE(endpoint.ok()) << endpoint.error().message();
    return {std::move(pool).value(), endpoint ? *endpoint : nullptr};
  }

  NoConnections no_connections_;
};

TEST_P(DatagramContract, EchoesEveryDatagramWholeToItsOwnSender) {
  reactor::EventLoop loop;
  Replier echo;
  net::Fd server = bound_udp(), first = bound_udp(), second = bound_udp();
  auto served = serve(loop, server.get(), echo);
  auto* endpoint = served.endpoint;
  ASSERT_NE(endpoint, nullptr);
  const auto address = net::local_address(server.get()).value();
  const std::string largest(65507, 'x');  // The largest IPv4 UDP payload.
  send_text(first.get(), "one", address);
  send_text(second.get(), "two", address);
  send_text(first.get(), largest, address);
  run_until(loop, [&] { return endpoint->datagrams_out() == 3; });
  EXPECT_EQ(received(first.get(), 2), (std::vector<std::string>{"one", largest}));
  EXPECT_EQ(received(second.get(), 1), std::vector<std::string>{"two"});
  EXPECT_EQ(endpoint->datagrams_in(), 3u);
  EXPECT_EQ(endpoint->bytes_out(), 3u + 3u + largest.size());
  EXPECT_EQ(endpoint->dropped(), 0u);
}

TEST_P(DatagramContract, ServesIPv6) {
  auto bound = net::open_bound_datagram(net::Address::parse("::1", 0).value(), {});
  if (!bound) GTEST_SKIP() << "no IPv6 loopback here: " << bound.error().message();
  net::Fd server = std::move(bound).value();
  reactor::EventLoop loop;
  Replier echo;
  net::Fd client = bound_udp("::1");
  auto served = serve(loop, server.get(), echo);
  auto* endpoint = served.endpoint;
  ASSERT_NE(endpoint, nullptr);
  send_text(client.get(), "over six", net::local_address(server.get()).value());
  run_until(loop, [&] { return endpoint->datagrams_out() == 1; });
  EXPECT_EQ(received(client.get(), 1), std::vector<std::string>{"over six"});
}

// A chat message from a TCP member, fanned out to the UDP members: one iteration's sends go
// out together, in one io_uring submission or in sendmmsg calls of 64.
TEST_P(DatagramContract, AnIterationsSendsGoOutTogetherAndInOrder) {
  reactor::EventLoop loop;
  Replier unused;
  net::Fd server = bound_udp(), member = bound_udp();
  make_room(member.get());
  auto served = serve(loop, server.get(), unused);
  auto* endpoint = served.endpoint;
  ASSERT_NE(endpoint, nullptr);
  const auto to = net::local_address(member.get()).value();
  constexpr int kCount = 150;
  const auto calls_before = endpoint->send_calls();
  loop.post([&] {
    for (int i = 0; i < kCount; ++i) {
      const std::string text = "message " + std::to_string(i);
      endpoint->send_to(std::as_bytes(std::span(text)), to);
    }
  });
  run_until(loop, [&] { return endpoint->datagrams_out() == kCount; });
  const auto got = received(member.get(), kCount);
  ASSERT_EQ(got.size(), static_cast<std::size_t>(kCount));
  for (int i = 0; i < kCount; ++i) EXPECT_EQ(got[i], "message " + std::to_string(i));
  EXPECT_EQ(endpoint->send_calls() - calls_before, GetParam() == Engine::io_uring ? 1u : 3u);
}

TEST_P(DatagramContract, RepliesToOneDatagramKeepTheirOrder) {
  reactor::EventLoop loop;
  Replier replier;
  replier.copies = 99;
  net::Fd server = bound_udp(), client = bound_udp();
  make_room(client.get());
  auto served = serve(loop, server.get(), replier);
  auto* endpoint = served.endpoint;
  ASSERT_NE(endpoint, nullptr);
  send_text(client.get(), "hello", net::local_address(server.get()).value());
  run_until(loop, [&] { return endpoint->datagrams_out() == 100; });
  const auto got = received(client.get(), 100);
  ASSERT_EQ(got.size(), 100u);
  for (int i = 0; i < 99; ++i) EXPECT_EQ(got[i], "copy " + std::to_string(i));
  EXPECT_EQ(got.back(), "hello");  // The received payload itself, sent before it was reused.
}

// More datagrams at once than the io_uring engine has receive buffers (forced down to 4):
// those that find none wait in the socket, and the receive goes on once buffers come back.
// None is lost.
TEST_P(DatagramContract, ABurstBeyondTheBuffersIsServedWhole) {
  reactor::EventLoop loop;
  Replier echo;
  net::Fd server = bound_udp(), client = bound_udp();
  make_room(server.get());
  make_room(client.get());
  auto served = made_with_hook("SOKET_URING_DATAGRAM_BUFFERS", "4",
                               [&] { return serve(loop, server.get(), echo); });
  auto* endpoint = served.endpoint;
  ASSERT_NE(endpoint, nullptr);
  const auto address = net::local_address(server.get()).value();
  constexpr int kCount = 2000;
  for (int i = 0; i < kCount; ++i) send_text(client.get(), "burst " + std::to_string(i), address);
  run_until(loop, [&] { return endpoint->datagrams_out() == kCount; });
  EXPECT_EQ(echo.seen, static_cast<std::uint64_t>(kCount));
  const auto got = received(client.get(), kCount);
  ASSERT_EQ(got.size(), static_cast<std::size_t>(kCount));
  for (int i = 0; i < kCount; ++i) EXPECT_EQ(got[i], "burst " + std::to_string(i));
}

// A chat message from a TCP member to many UDP members, many times in one read: every send of
// the iteration is held until its completion is reaped, so a bound per send in flight is a
// bound on one iteration's fan-out. 20,000 (past the first bound, 16,384) all go out.
TEST_P(DatagramContract, ALargeFanOutInOneIterationLosesNothing) {
  reactor::EventLoop loop;
  Replier unused;
  net::Fd server = bound_udp();
  constexpr int kMembers = 10, kEach = 2000;
  std::vector<net::Fd> members;
  std::vector<net::Address> addresses;
  for (int i = 0; i < kMembers; ++i) {
    members.push_back(bound_udp());
    make_room(members.back().get());
    addresses.push_back(net::local_address(members.back().get()).value());
  }
  auto served = serve(loop, server.get(), unused);
  auto* endpoint = served.endpoint;
  ASSERT_NE(endpoint, nullptr);
  loop.post([&] {
    for (int line = 0; line < kEach; ++line) {
      const std::string text = "line " + std::to_string(line);
      for (const auto& to : addresses) endpoint->send_to(std::as_bytes(std::span(text)), to);
    }
  });
  run_until(loop,
            [&] { return endpoint->datagrams_out() + endpoint->dropped() >= kMembers * kEach; });
  EXPECT_EQ(endpoint->dropped(), 0u);
  for (const auto& member : members) {
    EXPECT_EQ(received(member.get(), kEach).size(), static_cast<std::size_t>(kEach));
  }
}

// The io_uring receive ends (a zero-length datagram ends a multishot receive on Linux 6.18)
// while its only buffer is held by an echo, and is armed again at once: that receive then
// fails for want of a buffer, after the echo has already given it back. It must still go on.
TEST_P(DatagramContract, ReceivingGoesOnAfterABufferShortageThatHasEnded) {
  reactor::EventLoop loop;
  Replier echo;
  net::Fd server = bound_udp(), client = bound_udp();
  make_room(client.get());
  auto served = made_with_hook("SOKET_URING_DATAGRAM_BUFFERS", "1",
                               [&] { return serve(loop, server.get(), echo); });
  auto* endpoint = served.endpoint;
  ASSERT_NE(endpoint, nullptr);
  const auto address = net::local_address(server.get()).value();
  for (const char* text : {"a", "", "b", "", "c"}) send_text(client.get(), text, address);
  run_until(loop, [&] { return endpoint->datagrams_out() == 5; });
  ASSERT_EQ(received(client.get(), 5).size(), 5u);
  send_text(client.get(), "after", address);
  run_until(loop, [&] { return endpoint->datagrams_out() == 6; });
  EXPECT_EQ(received(client.get(), 1), std::vector<std::string>{"after"});
}

TEST_P(DatagramContract, AStoppedEndpointHandsNothingOnButStillSends) {
  reactor::EventLoop loop;
  Replier echo;
  net::Fd server = bound_udp(), client = bound_udp();
  auto served = serve(loop, server.get(), echo);
  auto* endpoint = served.endpoint;
  ASSERT_NE(endpoint, nullptr);
  const auto address = net::local_address(server.get()).value();
  endpoint->stop();
  int iterations = 0;
  run_until(loop, [&] { return ++iterations > 5; });  // Let the stop take effect.
  send_text(client.get(), "too late", address);
  const auto to = net::local_address(client.get()).value();
  const std::string bye = "bye";
  endpoint->send_to(std::as_bytes(std::span(bye)), to);
  run_until(loop, [&] { return endpoint->datagrams_out() == 1; });
  EXPECT_EQ(received(client.get(), 1), std::vector<std::string>{"bye"});
  EXPECT_EQ(echo.seen, 0u);
}

TEST_P(DatagramContract, WhatWasSentBeforeThePoolEndsGoesOut) {
  net::Fd server = bound_udp(), member = bound_udp();
  const auto to = net::local_address(member.get()).value();
  {
    reactor::EventLoop loop;
    Replier unused;
    auto served = serve(loop, server.get(), unused);
    auto* endpoint = served.endpoint;
    ASSERT_NE(endpoint, nullptr);
    const std::string text = "last words";
    endpoint->send_to(std::as_bytes(std::span(text)), to);
  }  // The pool is destroyed before the loop ran.
  EXPECT_EQ(received(member.get(), 1), std::vector<std::string>{"last words"});
}

INSTANTIATE_TEST_SUITE_P(Engines, DatagramContract, kBothEngines, engine_case_name);

}  // namespace
}  // namespace soket::conn
