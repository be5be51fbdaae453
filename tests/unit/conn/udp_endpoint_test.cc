// UdpEndpoint's sending: what is sent is queued and goes out with sendmmsg, up to kSendBatch
// datagrams per syscall, at the end of a receive batch (the replies) or of the loop's
// iteration (anything else: a chat message from a TCP member fanned out to the UDP members).
#include "conn/udp_endpoint.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <string>
#include <vector>

#include "net/socket_ops.h"

namespace soket::conn {
namespace {

using namespace std::chrono_literals;

struct Ignore final : DatagramEvents {
  void on_datagram(DatagramEndpoint&, std::span<const std::byte>,
                   const net::Address&) noexcept override {}
};

// Replies to each datagram with `copies` datagrams of its own making, then the payload itself.
struct Fanout final : DatagramEvents {
  int copies = 0;
  void on_datagram(DatagramEndpoint& endpoint, std::span<const std::byte> payload,
                   const net::Address& from) noexcept override {
    for (int i = 0; i < copies; ++i) {
      const std::string text = "copy " + std::to_string(i);
      endpoint.send_to(std::as_bytes(std::span(text)), from);
    }
    endpoint.send_to(payload, from);
  }
};

net::Fd bound_udp() {
  return std::move(net::open_bound_datagram(net::Address::parse("127.0.0.1", 0).value(), {}))
      .value();
}

// Every datagram waiting on `fd` (non-blocking), in order.
std::vector<std::string> received(int fd) {
  std::vector<std::string> got;
  char chunk[2048];
  for (ssize_t n; (n = ::recv(fd, chunk, sizeof chunk, MSG_DONTWAIT)) >= 0;) {
    got.emplace_back(chunk, static_cast<std::size_t>(n));
  }
  return got;
}

void run_one_iteration(reactor::EventLoop& loop) {
  loop.defer([&] { loop.stop(); });  // Queued after the endpoint's own deferred flush.
  loop.run();
}

TEST(UdpEndpoint, SendsOutsideABatchGoOutTogetherAtTheIterationsEnd) {
  reactor::EventLoop loop;
  Ignore ignore;
  net::Fd server = bound_udp(), member = bound_udp();
  UdpEndpoint endpoint(loop, server.get(), false, ignore);
  ASSERT_TRUE(endpoint.start().ok());
  const auto to = net::local_address(member.get()).value();
  constexpr int kCount = 150;  // Three sendmmsg calls of at most 64.
  loop.post([&] {
    for (int i = 0; i < kCount; ++i) {
      const std::string text = "message " + std::to_string(i);
      endpoint.send_to(std::as_bytes(std::span(text)), to);
    }
  });
  run_one_iteration(loop);
  const auto got = received(member.get());
  ASSERT_EQ(got.size(), static_cast<std::size_t>(kCount));
  for (int i = 0; i < kCount; ++i) EXPECT_EQ(got[i], "message " + std::to_string(i));
  EXPECT_EQ(endpoint.datagrams_out(), static_cast<std::uint64_t>(kCount));
  EXPECT_EQ(endpoint.send_calls(), 3u);
}

TEST(UdpEndpoint, RepliesOfABatchGoOutTogetherAndInOrder) {
  reactor::EventLoop loop;
  Fanout fanout;
  fanout.copies = 99;  // With the echo, 100 replies: two sendmmsg calls.
  net::Fd server = bound_udp(), client = bound_udp();
  UdpEndpoint endpoint(loop, server.get(), false, fanout);
  ASSERT_TRUE(endpoint.start().ok());
  const auto server_address = net::local_address(server.get()).value();
  const std::string hello = "hello";
  ASSERT_EQ(::sendto(client.get(), hello.data(), hello.size(), 0, server_address.data(),
                     server_address.length()),
            static_cast<ssize_t>(hello.size()));
  loop.run_after(5s, [&] { loop.stop(); });  // A bound, in case the datagram never comes.
  for (int i = 0; i < 100 && endpoint.datagrams_in() == 0; ++i) run_one_iteration(loop);
  const auto got = received(client.get());
  ASSERT_EQ(got.size(), 100u);
  for (int i = 0; i < 99; ++i) EXPECT_EQ(got[i], "copy " + std::to_string(i));
  EXPECT_EQ(got.back(), "hello");  // The received payload itself, sent before it was reused.
  EXPECT_EQ(endpoint.send_calls(), 2u);
}

TEST(UdpEndpoint, WhatWasSentBeforeTheEndGoesOut) {
  reactor::EventLoop loop;
  Ignore ignore;
  net::Fd server = bound_udp(), member = bound_udp();
  const auto to = net::local_address(member.get()).value();
  {
    UdpEndpoint endpoint(loop, server.get(), false, ignore);
    const std::string text = "last words";
    endpoint.send_to(std::as_bytes(std::span(text)), to);
  }  // Destroyed before the loop's iteration ended.
  EXPECT_EQ(received(member.get()), std::vector<std::string>{"last words"});
  run_one_iteration(loop);  // The deferred flush finds the endpoint gone and does nothing.
}

}  // namespace
}  // namespace soket::conn
