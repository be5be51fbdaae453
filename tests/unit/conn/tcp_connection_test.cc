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
  void on_data(TcpConnection& connection, Buffer& input) noexcept override {
    for (int i = 0; i < factor; ++i) connection.send(input.readable());
    input.clear();
  }
  void on_close(TcpConnection&, std::error_code why) noexcept override {
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
  EXPECT_EQ(table.closed_bytes_in(), 3u);
  EXPECT_EQ(table.closed_bytes_out(), 3u);
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
  run_for(loop, 100ms);
  // The peer reads nothing, so the output sits past high water and reading has stopped:
  // without back-pressure the whole input would have been read (and amplified) by now.
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
  settings.idle_timeout = 80ms;
  ConnectionTable table(loop, echo, settings);
  Pair pair;
  ASSERT_NE(table.add(net::Fd(pair.ours), net::Address{}), nullptr);
  for (int i = 0; i < 5; ++i) {  // 5 x 40 ms of traffic: twice the timeout, never idle.
    ASSERT_EQ(::write(pair.theirs, "k", 1), 1);
    run_for(loop, 40ms);
  }
  EXPECT_EQ(echo.closes, 0);
  EXPECT_EQ(pair.drain(), "kkkkk");
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

}  // namespace
}  // namespace soket::conn
