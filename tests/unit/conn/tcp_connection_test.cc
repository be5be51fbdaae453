#include "conn/tcp_connection.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "conn/connection_table.h"

namespace soket::conn {
namespace {

using namespace std::chrono_literals;

// Answers every byte with `factor` copies of it, to fill the output faster than it drains.
struct Amplifier final : ConnectionEvents {
  int factor = 1;
  int closes = 0;
  std::error_code reason;
  std::function<void()> closed;
  void on_data(Connection& connection, Buffer& input) noexcept override {
    for (int i = 0; i < factor; ++i) connection.send(input.readable());
    input.clear();
  }
  void on_close(Connection&, std::error_code why) noexcept override {
    ++closes;
    reason = why;
    if (closed) closed();
  }
};

struct Pair {
  int ours = -1, theirs = -1;
  Pair() {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
    ours = fds[0];
    theirs = fds[1];
  }
  ~Pair() { ::close(theirs); }
  std::string drain() {
    std::string got;
    char chunk[65536];
    for (ssize_t n; (n = ::read(theirs, chunk, sizeof chunk)) > 0;)
      got.append(chunk, static_cast<std::size_t>(n));
    return got;
  }
};

void run_for(reactor::EventLoop& loop, std::chrono::milliseconds bound) {
  loop.run_after(bound, [&] { loop.stop(); });
  loop.run();
}

TEST(TcpConnection, EchoesThenClosesAfterPeerHalfClose) {
  reactor::EventLoop loop;
  Amplifier echo;
  echo.closed = [&] { loop.stop(); };
  ConnectionTable table(loop, echo, ConnectionSettings{});
  Pair pair;
  ASSERT_NE(table.add(net::Fd(pair.ours), net::Address{}), nullptr);
  ASSERT_EQ(::write(pair.theirs, "abc", 3), 3);
  ::shutdown(pair.theirs, SHUT_WR);
  run_for(loop, 5s);
  EXPECT_EQ(echo.closes, 1);
  EXPECT_FALSE(echo.reason);
  EXPECT_EQ(pair.drain(), "abc");
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(table.bytes_in(), 3u);
  EXPECT_EQ(table.bytes_out(), 3u);
  EXPECT_EQ(loop.watched_count(), 1u);  // Only the loop's own wakeup fd: nothing leaked.
}

TEST(TcpConnection, StopsReadingWhileOutputIsAboveHighWater) {
  reactor::EventLoop loop;
  Amplifier amplifier;
  amplifier.factor = 16;
  ConnectionSettings settings;
  settings.output_high_water = 64 * 1024;
  ConnectionTable table(loop, amplifier, settings);
  Pair pair;
  auto* connection = table.add(net::Fd(pair.ours), net::Address{});
  ASSERT_NE(connection, nullptr);
  const std::string sent(100 * 1024, 'z');
  std::size_t written = 0;
  while (written < sent.size()) {
    const ssize_t n = ::write(pair.theirs, sent.data() + written, sent.size() - written);
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  ASSERT_GT(written, 32u * 1024);
  // Run until the output passes high water (an event, awaited up to 10 s), then a while more:
  // the peer reads nothing, so reading must have stopped. Without back-pressure the whole
  // input would be read (and amplified) in that time.
  for (int round = 0; round < 10000 && connection->queued_output() < settings.output_high_water;
       ++round) {
    run_for(loop, 1ms);
  }
  const auto stalled_at = connection->bytes_in();
  run_for(loop, 200ms);
  EXPECT_EQ(connection->bytes_in(), stalled_at);
  EXPECT_LT(connection->bytes_in(), written);
  EXPECT_GE(connection->queued_output(), settings.output_high_water);
  EXPECT_LT(connection->queued_output(), settings.output_high_water + 16 * 256 * 1024 + 1);
  // Once the peer drains, reading resumes and everything is answered.
  std::size_t answered = 0;
  for (int round = 0; round < 2000 && answered < written * 16; ++round) {
    answered += pair.drain().size();
    run_for(loop, 1ms);
  }
  EXPECT_EQ(answered, written * 16);
  EXPECT_EQ(connection->bytes_in(), written);
}

TEST(TcpConnection, IdleTimeoutClosesASilentConnection) {
  reactor::EventLoop loop;
  Amplifier echo;
  echo.closed = [&] { loop.stop(); };
  ConnectionSettings settings;
  settings.idle_timeout = 50ms;
  ConnectionTable table(loop, echo, settings);
  Pair pair;
  const auto start = Clock::now();
  ASSERT_NE(table.add(net::Fd(pair.ours), net::Address{}), nullptr);
  run_for(loop, 5s);
  EXPECT_EQ(echo.closes, 1);
  EXPECT_EQ(echo.reason, std::errc::timed_out);
  EXPECT_GE(Clock::now() - start, 50ms);
  EXPECT_EQ(pair.drain(), "");
}

TEST(TcpConnection, ActivityPostponesTheIdleTimeout) {
  reactor::EventLoop loop;
  Amplifier echo;
  ConnectionSettings settings;
  settings.idle_timeout = 2s;
  ConnectionTable table(loop, echo, settings);
  Pair pair;
  ASSERT_NE(table.add(net::Fd(pair.ours), net::Address{}), nullptr);
  // 16 x 200 ms of traffic: 1.6 times the timeout, never idle. Only a stall of 10x a step
  // (2 s without the loop running) could make it look idle.
  for (int i = 0; i < 16; ++i) {
    ASSERT_EQ(::write(pair.theirs, "k", 1), 1);
    run_for(loop, 200ms);
  }
  EXPECT_EQ(echo.closes, 0);
  EXPECT_EQ(pair.drain(), std::string(16, 'k'));
}

TEST(ConnectionTable, CloseAllCallsBackOnceEmpty) {
  reactor::EventLoop loop;
  Amplifier echo;
  ConnectionTable table(loop, echo, ConnectionSettings{});
  Pair a, b;
  ASSERT_NE(table.add(net::Fd(a.ours), net::Address{}), nullptr);
  ASSERT_NE(table.add(net::Fd(b.ours), net::Address{}), nullptr);
  int empties = 0;
  table.close_all([&] {
    ++empties;
    loop.stop();
  });
  run_for(loop, 5s);
  EXPECT_EQ(empties, 1);
  EXPECT_EQ(echo.closes, 2);
  EXPECT_EQ(table.size(), 0u);
}

TEST(TcpConnection, HandshakeTimeoutDropsASilentConnection) {
  reactor::EventLoop loop;
  Amplifier echo;
  echo.closed = [&] { loop.stop(); };
  ConnectionSettings settings;
  settings.handshake_timeout = 100ms;
  ConnectionTable table(loop, echo, settings);
  Pair pair;
  const auto start = Clock::now();
  ASSERT_NE(table.add(net::Fd(pair.ours), net::Address{}), nullptr);
  run_for(loop, 10s);
  EXPECT_EQ(echo.closes, 1);
  EXPECT_EQ(echo.reason, std::errc::timed_out);
  EXPECT_GE(Clock::now() - start, 100ms);
}

TEST(TcpConnection, FirstByteCompletesTheHandshakeByDefault) {
  reactor::EventLoop loop;
  Amplifier echo;
  ConnectionSettings settings;
  settings.handshake_timeout = 100ms;
  ConnectionTable table(loop, echo, settings);
  Pair pair;
  auto* connection = table.add(net::Fd(pair.ours), net::Address{});
  ASSERT_NE(connection, nullptr);
  ASSERT_EQ(::write(pair.theirs, "k", 1), 1);
  run_for(loop, 500ms);  // Five times the timeout.
  EXPECT_EQ(echo.closes, 0);
  EXPECT_TRUE(connection->handshake_complete());
  EXPECT_EQ(pair.drain(), "k");
}

// A service that says when its handshake is done (as chat does once a member has joined):
// bytes alone do not count, its call does.
struct Joiner final : ConnectionEvents {
  int closes = 0;
  bool handshake_at_first_byte() const noexcept override { return false; }
  void on_data(Connection& connection, Buffer& input) noexcept override {
    if (input.readable_text().find("JOIN") != std::string_view::npos) {
      connection.complete_handshake();
    }
    input.clear();
  }
  void on_close(Connection&, std::error_code) noexcept override { ++closes; }
};

TEST(TcpConnection, AServiceCanTakeOverTheHandshake) {
  reactor::EventLoop loop;
  Joiner joiner;
  ConnectionSettings settings;
  settings.handshake_timeout = 200ms;
  ConnectionTable table(loop, joiner, settings);
  Pair chatty, joining;
  ASSERT_NE(table.add(net::Fd(chatty.ours), net::Address{}), nullptr);
  auto* joined = table.add(net::Fd(joining.ours), net::Address{});
  ASSERT_NE(joined, nullptr);
  ASSERT_EQ(::write(chatty.theirs, "hello", 5), 5);  // Bytes, but never a join.
  ASSERT_EQ(::write(joining.theirs, "JOIN", 4), 4);
  for (int round = 0; round < 1000 && joiner.closes == 0; ++round) run_for(loop, 10ms);
  run_for(loop, 400ms);
  EXPECT_EQ(joiner.closes, 1);
  EXPECT_EQ(table.size(), 1u);
  EXPECT_EQ(table.find(joined->id()), joined);
}

// A polite close with unread input must not reset: the peer gets every echoed byte and a
// FIN, and the connection closes once the peer's FIN comes.
TEST(TcpConnection, CloseAfterFlushWithUnreadInputSendsAFinNotAReset) {
  reactor::EventLoop loop;
  Amplifier echo;
  echo.closed = [&] { loop.stop(); };
  ConnectionTable table(loop, echo, ConnectionSettings{});
  Pair pair;
  auto* connection = table.add(net::Fd(pair.ours), net::Address{});
  ASSERT_NE(connection, nullptr);
  ASSERT_EQ(::write(pair.theirs, "first", 5), 5);
  run_for(loop, 100ms);
  ASSERT_EQ(connection->bytes_in(), 5u);
  connection->close_after_flush();
  ASSERT_EQ(::write(pair.theirs, "unread", 6), 6);  // Arrives while closing: discarded.
  run_for(loop, 100ms);
  EXPECT_EQ(echo.closes, 0);  // Waiting for our peer's FIN.
  EXPECT_EQ(pair.drain(), "first");
  char byte;
  EXPECT_EQ(::read(pair.theirs, &byte, 1), 0);  // Our FIN.
  ::shutdown(pair.theirs, SHUT_WR);
  run_for(loop, 5s);
  EXPECT_EQ(echo.closes, 1);
  EXPECT_FALSE(echo.reason);
}

}  // namespace
}  // namespace soket::conn
