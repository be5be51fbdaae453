// The connection contract (conn/connection.h), held against both engines: every case runs
// on epoll (ConnectionTable) and on io_uring (UringConnections), made as the server makes them.
// The io_uring cases are skipped, with the reason, only where the kernel refuses io_uring.
#include <gtest/gtest.h>
#include <linux/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "conn/connection_pool.h"
#include "conn/connection_table.h"
#include "conn/engine.h"
#include "net/socket_ops.h"
#include "unit/conn/engine_case.h"

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

void run_for(reactor::EventLoop& loop, std::chrono::milliseconds bound) {
  loop.run_after(bound, [&] { loop.stop(); });
  loop.run();
}

// An Amplifier whose service says it batches its sends (a chat room's fan-out).
struct BatchingAmplifier final : ConnectionEvents {
  int factor = 1;
  int closes = 0;
  std::size_t queued_after_sends = 0;  // queued_output() once on_data has sent.
  std::function<void()> closed;
  void on_data(Connection& connection, Buffer& input) noexcept override {
    for (int i = 0; i < factor; ++i) connection.send(input.readable());
    queued_after_sends = connection.queued_output();
    input.clear();
  }
  bool batches_sends() const noexcept override { return true; }
  void on_close(Connection&, std::error_code) noexcept override {
    ++closes;
    if (closed) closed();
  }
};

// A TCP connection over loopback, the server's side with TCP_NODELAY (as the chat server
// sets it), so that each write the engine makes leaves as its own segment: the client's
// count of data segments received is the count of the server's writes.
struct TcpPair {
  net::Fd client, server;
  TcpPair() {
    auto listener = net::open_listener(net::Address::parse("127.0.0.1", 0).value(), {}, 1);
    EXPECT_TRUE(listener.ok());
    if (!listener) return;
    const auto address = net::local_address(listener->get()).value();
    client = net::Fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    EXPECT_EQ(::connect(client.get(), address.data(), address.length()), 0);
    // A read that finds nothing fails the test in 5 s rather than hanging it.
    const timeval wait{5, 0};
    EXPECT_EQ(::setsockopt(client.get(), SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait), 0);
    server = net::Fd(::accept4(listener->get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    const int one = 1;
    EXPECT_EQ(::setsockopt(server.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one), 0);
  }
  std::uint32_t data_segments_received() const {
    tcp_info info{};
    socklen_t length = sizeof info;
    EXPECT_EQ(::getsockopt(client.get(), IPPROTO_TCP, TCP_INFO, &info, &length), 0);
    return info.tcpi_data_segs_in;
  }
  std::string read_exactly(std::size_t count) {
    std::string got(count, '\0');
    std::size_t have = 0;
    for (int reads = 0; have < count && reads < 1000; ++reads) {
      const ssize_t n = ::recv(client.get(), got.data() + have, count - have, 0);
      if (n <= 0) break;
      have += static_cast<std::size_t>(n);
    }
    got.resize(have);
    return got;
  }
};

// The server's writes for `factor` one-byte sends made in one handler, its peer's byte "x".
template <typename Service>
std::uint32_t writes_for_sends(std::unique_ptr<ConnectionPool> (*make)(reactor::EventLoop&,
                                                                       ConnectionEvents&),
                               int factor) {
  reactor::EventLoop loop;
  Service service;
  service.factor = factor;
  TcpPair pair;
  auto pool = make(loop, service);
  if (!pool) return 0;
  EXPECT_NE(pool->add(std::move(pair.server), net::Address{}), nullptr);
  const std::uint32_t before = pair.data_segments_received();
  EXPECT_EQ(::send(pair.client.get(), "x", 1, 0), 1);
  run_for(loop, 300ms);
  EXPECT_EQ(pair.read_exactly(static_cast<std::size_t>(factor)), std::string(factor, 'x'));
  return pair.data_segments_received() - before;
}

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

ConnectionSettings with_idle_timeout(Duration timeout) {
  ConnectionSettings settings;
  settings.idle_timeout = timeout;
  return settings;
}

ConnectionSettings with_handshake_timeout(Duration timeout) {
  ConnectionSettings settings;
  settings.handshake_timeout = timeout;
  return settings;
}

// One connection on a pool of the case's engine, with its loop, its echo and its peer. The
// pool is declared after the loop and the echo, so that it is destroyed before them.
struct OneConnection {
  reactor::EventLoop loop;
  Amplifier echo;
  Pair pair;
  std::unique_ptr<ConnectionPool> pool;
  Connection* connection = nullptr;
};

class ConnectionContract : public EngineCase {
 public:
  // The pool on this case's engine; null when it could not be made. Each case declares it
  // after its loop and events, so that it is destroyed before them.
  std::unique_ptr<ConnectionPool> make_pool(reactor::EventLoop& loop, ConnectionEvents& events,
                                            const ConnectionSettings& settings) {
    auto pool = make_connection_pool(GetParam(), loop, events, settings, nullptr);
    EXPECT_TRUE(pool.ok()) << pool.error().message();
    if (!pool) return nullptr;
    EXPECT_EQ((*pool)->engine(), name(GetParam()));  // The engine asked for is the one made.
    return std::move(pool).value();
  }

  // An echoing connection (its pool and connection null when they could not be made), whose
  // close stops the loop when `stop_at_close`.
  std::unique_ptr<OneConnection> open_one(const ConnectionSettings& settings,
                                          bool stop_at_close = false) {
    auto one = std::make_unique<OneConnection>();
    if (stop_at_close) one->echo.closed = [loop = &one->loop] { loop->stop(); };
    one->pool = make_pool(one->loop, one->echo, settings);
    if (one->pool) one->connection = one->pool->add(net::Fd(one->pair.ours), net::Address{});
    EXPECT_NE(one->connection, nullptr);
    return one;
  }

  // A connection that never hears from its peer is closed by the timeout `settings` set, not
  // before `at_least`.
  void expect_closed_by_timeout(const ConnectionSettings& settings, Duration at_least) {
    const auto start = Clock::now();
    auto one = open_one(settings, /*stop_at_close=*/true);
    ASSERT_NE(one->connection, nullptr);
    run_for(one->loop, 10s);
    EXPECT_EQ(one->echo.closes, 1);
    EXPECT_EQ(one->echo.reason, std::errc::timed_out);
    EXPECT_GE(Clock::now() - start, at_least);
    EXPECT_EQ(one->pair.drain(), "");
  }
};

TEST_P(ConnectionContract, EchoesThenClosesAfterPeerHalfClose) {
  auto one = open_one(ConnectionSettings{}, /*stop_at_close=*/true);
  ASSERT_NE(one->connection, nullptr);
  ASSERT_EQ(::write(one->pair.theirs, "abc", 3), 3);
  ::shutdown(one->pair.theirs, SHUT_WR);
  run_for(one->loop, 5s);
  EXPECT_EQ(one->echo.closes, 1);
  EXPECT_FALSE(one->echo.reason);
  EXPECT_EQ(one->pair.drain(), "abc");
  EXPECT_EQ(one->pool->size(), 0u);
  EXPECT_EQ(one->pool->bytes_in(), 3u);
  EXPECT_EQ(one->pool->bytes_out(), 3u);
}

TEST_P(ConnectionContract, StopsReadingWhileOutputIsAboveHighWater) {
  reactor::EventLoop loop;
  Amplifier amplifier;
  amplifier.factor = 16;
  ConnectionSettings settings;
  settings.output_high_water = 64 * 1024;
  auto table = make_pool(loop, amplifier, settings);
  ASSERT_NE(table, nullptr);
  Pair pair;
  // A small send buffer, so that the first amplified reply (16 x one 4 KiB receive on
  // io_uring: the high-water mark itself) cannot drain into the socket and end the pause.
  const int send_buffer = 4096;
  ASSERT_EQ(::setsockopt(pair.ours, SOL_SOCKET, SO_SNDBUF, &send_buffer, sizeof send_buffer), 0);
  auto* connection = table->add(net::Fd(pair.ours), net::Address{});
  ASSERT_NE(connection, nullptr);
  const std::string sent(100 * 1024, 'z');
  std::size_t written = 0;
  while (written < sent.size()) {
    const ssize_t n = ::write(pair.theirs, sent.data() + written, sent.size() - written);
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  ASSERT_GT(written, 32u * 1024);
  // Run until the output passes high water and reading pauses (an event, awaited up to 10 s), then
  // a while more: the peer reads nothing, so reading must have stopped. Without back-pressure the
  // whole input would be read (and amplified) in that time.
  for (int round = 0; round < 10000 && !connection->backpressured(); ++round) {
    run_for(loop, 1ms);
  }
  const auto stalled_at = connection->bytes_in();
  run_for(loop, 200ms);
  EXPECT_EQ(connection->bytes_in(), stalled_at);
  EXPECT_LT(connection->bytes_in(), written);
  // Still above the resume mark (half): what the socket took since the pause did not end it.
  EXPECT_GT(connection->queued_output(), settings.output_high_water / 2);
  EXPECT_TRUE(connection->backpressured());
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

TEST_P(ConnectionContract, IdleTimeoutClosesASilentConnection) {
  expect_closed_by_timeout(with_idle_timeout(50ms), 50ms);
}

TEST_P(ConnectionContract, ActivityPostponesTheIdleTimeout) {
  auto one = open_one(with_idle_timeout(2s));
  ASSERT_NE(one->connection, nullptr);
  // 16 x 200 ms of traffic: 1.6 times the timeout, never idle. Only a stall of 10x a step
  // (2 s without the loop running) could make it look idle.
  for (int i = 0; i < 16; ++i) {
    ASSERT_EQ(::write(one->pair.theirs, "k", 1), 1);
    run_for(one->loop, 200ms);
  }
  EXPECT_EQ(one->echo.closes, 0);
  EXPECT_EQ(one->pair.drain(), std::string(16, 'k'));
}

TEST_P(ConnectionContract, CloseAllCallsBackOnceEmpty) {
  reactor::EventLoop loop;
  Amplifier echo;
  auto table = make_pool(loop, echo, ConnectionSettings{});
  ASSERT_NE(table, nullptr);
  Pair a, b;
  ASSERT_NE(table->add(net::Fd(a.ours), net::Address{}), nullptr);
  ASSERT_NE(table->add(net::Fd(b.ours), net::Address{}), nullptr);
  int empties = 0;
  table->close_all([&] {
    ++empties;
    loop.stop();
  });
  run_for(loop, 5s);
  EXPECT_EQ(empties, 1);
  EXPECT_EQ(echo.closes, 2);
  EXPECT_EQ(table->size(), 0u);
}

TEST_P(ConnectionContract, HandshakeTimeoutDropsASilentConnection) {
  expect_closed_by_timeout(with_handshake_timeout(100ms), 100ms);
}

TEST_P(ConnectionContract, FirstByteCompletesTheHandshakeByDefault) {
  auto one = open_one(with_handshake_timeout(100ms));
  ASSERT_NE(one->connection, nullptr);
  ASSERT_EQ(::write(one->pair.theirs, "k", 1), 1);
  run_for(one->loop, 500ms);  // Five times the timeout.
  EXPECT_EQ(one->echo.closes, 0);
  EXPECT_TRUE(one->connection->handshake_complete());
  EXPECT_EQ(one->pair.drain(), "k");
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

TEST_P(ConnectionContract, AServiceCanTakeOverTheHandshake) {
  reactor::EventLoop loop;
  Joiner joiner;
  ConnectionSettings settings;
  settings.handshake_timeout = 200ms;
  auto table = make_pool(loop, joiner, settings);
  ASSERT_NE(table, nullptr);
  Pair chatty, joining;
  ASSERT_NE(table->add(net::Fd(chatty.ours), net::Address{}), nullptr);
  auto* joined = table->add(net::Fd(joining.ours), net::Address{});
  ASSERT_NE(joined, nullptr);
  ASSERT_EQ(::write(chatty.theirs, "hello", 5), 5);  // Bytes, but never a join.
  ASSERT_EQ(::write(joining.theirs, "JOIN", 4), 4);
  for (int round = 0; round < 1000 && joiner.closes == 0; ++round) run_for(loop, 10ms);
  run_for(loop, 400ms);
  EXPECT_EQ(joiner.closes, 1);
  EXPECT_EQ(table->size(), 1u);
  EXPECT_FALSE(joined->closed());
}

// A polite close with unread input must not reset: the peer gets every echoed byte and a
// FIN, and the connection closes once the peer's FIN comes.
TEST_P(ConnectionContract, CloseAfterFlushWithUnreadInputSendsAFinNotAReset) {
  auto one = open_one(ConnectionSettings{}, /*stop_at_close=*/true);
  ASSERT_NE(one->connection, nullptr);
  ASSERT_EQ(::write(one->pair.theirs, "first", 5), 5);
  run_for(one->loop, 100ms);
  ASSERT_EQ(one->connection->bytes_in(), 5u);
  one->connection->close_after_flush();
  ASSERT_EQ(::write(one->pair.theirs, "unread", 6), 6);  // Arrives while closing: discarded.
  run_for(one->loop, 100ms);
  EXPECT_EQ(one->echo.closes, 0);  // Waiting for our peer's FIN.
  EXPECT_EQ(one->pair.drain(), "first");
  char byte;
  EXPECT_EQ(::read(one->pair.theirs, &byte, 1), 0);  // Our FIN.
  ::shutdown(one->pair.theirs, SHUT_WR);
  run_for(one->loop, 5s);
  EXPECT_EQ(one->echo.closes, 1);
  EXPECT_FALSE(one->echo.reason);
}

std::unique_ptr<ConnectionPool> epoll_pool(reactor::EventLoop& loop, ConnectionEvents& events) {
  return make_connection_pool(Engine::epoll, loop, events, ConnectionSettings{}, nullptr).value();
}

// A service that batches (the chat room): the 100 sends of one handler leave in one write,
// where one that does not makes 100 writes. The same measure shows both, so the test can tell
// them apart; the kernel merges some of the 100 small segments (autocorking: seen 35 of 100
// left), hence the low bar for the second.
TEST(ConnectionTable, ABatchingServicesSendsOfOneIterationLeaveInOneWrite) {
  EXPECT_LE(writes_for_sends<BatchingAmplifier>(epoll_pool, 100), 2u);
  EXPECT_GE(writes_for_sends<Amplifier>(epoll_pool, 100), 5u);
}

// A room's shape: a byte from one connection makes its handler send 100 times to another,
// which has no event of its own in that iteration. Its batch still goes out, in one write,
// when the iteration ends.
struct Relay final : ConnectionEvents {
  Connection* to = nullptr;
  void on_data(Connection&, Buffer& input) noexcept override {
    for (int i = 0; i < 100 && to != nullptr; ++i) to->send(input.readable());
    input.clear();
  }
  bool batches_sends() const noexcept override { return true; }
};

TEST(ConnectionTable, ABatchForAConnectionWithoutEventsIsWrittenAtTheIterationsEnd) {
  reactor::EventLoop loop;
  Relay relay;
  TcpPair from, to;
  auto pool = epoll_pool(loop, relay);
  ASSERT_NE(pool->add(std::move(from.server), net::Address{}), nullptr);
  relay.to = pool->add(std::move(to.server), net::Address{});
  ASSERT_NE(relay.to, nullptr);
  run_for(loop, 100ms);  // Both connections settle: their first writable edges are spent.
  const std::uint32_t before = to.data_segments_received();
  ASSERT_EQ(::send(from.client.get(), "y", 1, 0), 1);
  run_for(loop, 300ms);
  EXPECT_EQ(to.read_exactly(100), std::string(100, 'y'));
  EXPECT_LE(to.data_segments_received() - before, 2u);
}

// Batched output is flushed before the polite close that follows the peer's half-close.
TEST_P(ConnectionContract, BatchedOutputIsFlushedBeforeThePoliteClose) {
  reactor::EventLoop loop;
  BatchingAmplifier service;
  service.factor = 3;
  service.closed = [&] { loop.stop(); };
  Pair pair;
  auto pool = make_pool(loop, service, ConnectionSettings{});
  ASSERT_NE(pool, nullptr);
  ASSERT_NE(pool->add(net::Fd(pair.ours), net::Address{}), nullptr);
  ASSERT_EQ(::write(pair.theirs, "abc", 3), 3);
  ::shutdown(pair.theirs, SHUT_WR);
  run_for(loop, 5s);
  EXPECT_EQ(service.closes, 1);
  EXPECT_EQ(pair.drain(), "abcabcabc");
  EXPECT_EQ(pool->bytes_out(), 9u);
  // Output of this iteration that the socket has not yet refused is no backlog: a room's
  // limits on queued output (--max-output-total) must not count a fan-out in progress.
  EXPECT_EQ(service.queued_after_sends, 0u);
}

// Runs the loop while `peers` plays the clients on a thread of its own; its verdict, once it
// is done (the loop stops then).
template <typename Peers>
bool run_beside_peers(reactor::EventLoop& loop, Peers peers) {
  bool verdict = false;
  std::thread thread([&] {
    verdict = peers();
    loop.stop();
  });
  loop.run();
  thread.join();
  return verdict;
}

// Byte `offset` of stream `stream`: a pattern that differs between streams and along each,
// so that bytes of another stream, or out of order, are seen.
char stream_byte(std::size_t stream, std::size_t offset) {
  return static_cast<char>((offset * 7 + stream * 13 + offset / 4096) % 251);
}

// Writes `size` bytes of pattern to each client and reads every echo back, all at once (half
// of them slowly); true when each stream got exactly its own bytes back, within the bound.
bool stream_all(std::vector<TcpPair>& pairs, std::size_t size) {
  std::vector<std::size_t> sent(pairs.size(), 0), received(pairs.size(), 0);
  std::vector<char> chunk(64 * 1024);
  const auto deadline = Clock::now() + 30s;
  std::size_t done = 0;
  while (done < pairs.size() && Clock::now() < deadline) {
    std::vector<pollfd> fds;
    for (auto& pair : pairs) fds.push_back({pair.client.get(), POLLIN | POLLOUT, 0});
    if (::poll(fds.data(), fds.size(), 100) < 0) return false;
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      if ((fds[i].revents & POLLOUT) != 0 && sent[i] < size) {
        const std::size_t n = std::min(chunk.size(), size - sent[i]);
        for (std::size_t k = 0; k < n; ++k) chunk[k] = stream_byte(i, sent[i] + k);
        const ssize_t wrote = ::send(fds[i].fd, chunk.data(), n, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (wrote > 0) sent[i] += static_cast<std::size_t>(wrote);
      }
      if ((fds[i].revents & POLLIN) == 0) continue;
      // Every other peer reads slowly, so that the server's socket is often full.
      const std::size_t take = i % 2 == 0 ? chunk.size() : 4096;
      const ssize_t got = ::recv(fds[i].fd, chunk.data(), take, MSG_DONTWAIT);
      if (got <= 0) return false;
      for (ssize_t k = 0; k < got; ++k) {
        if (chunk[k] != stream_byte(i, received[i] + k)) return false;
      }
      received[i] += static_cast<std::size_t>(got);
      if (received[i] > size) return false;
      if (received[i] == size) ++done;
    }
  }
  return done == pairs.size();
}

// An echo that says it reflects: an engine may send its bulk input back without on_data.
struct Reflector final : ConnectionEvents {
  int closes = 0;
  void on_data(Connection& connection, Buffer& input) noexcept override {
    connection.send(input.readable());
    input.clear();
  }
  bool reflects() const noexcept override { return true; }
  void on_close(Connection&, std::error_code) noexcept override { ++closes; }
};

// 24 peers stream 4 MiB each at once through `service`, an echo; each must get exactly its
// own bytes back, in order.
template <typename Echo>
void expect_streams_echoed_exactly(ConnectionContract& test, Echo& service,
                                   reactor::EventLoop& loop) {
  constexpr std::size_t kPeers = 24, kBytes = 4 * 1024 * 1024;
  std::vector<TcpPair> pairs(kPeers);
  auto pool = test.make_pool(loop, service, ConnectionSettings{});
  ASSERT_NE(pool, nullptr);
  for (auto& pair : pairs) {
    // A small send buffer, so that a send often finds less room than it carries.
    const int send_buffer = 16 * 1024;
    ASSERT_EQ(
        ::setsockopt(pair.server.get(), SOL_SOCKET, SO_SNDBUF, &send_buffer, sizeof send_buffer),
        0);
    ASSERT_NE(pool->add(std::move(pair.server), net::Address{}), nullptr);
  }
  EXPECT_TRUE(run_beside_peers(loop, [&] { return stream_all(pairs, kBytes); }));
  EXPECT_EQ(pool->bytes_in(), kPeers * kBytes);
  EXPECT_EQ(pool->bytes_out(), kPeers * kBytes);
  EXPECT_EQ(service.closes, 0);
}

// More streams at once than io_uring's large receive buffers (conn/detail/provided_buffers.h):
// receives move between the large and the stream buffers, and every peer still gets exactly
// its own bytes back, in order.
TEST_P(ConnectionContract, ManyStreamsAtOnceEachGetExactlyTheirOwnBytes) {
  reactor::EventLoop loop;
  Amplifier echo;
  expect_streams_echoed_exactly(*this, echo, loop);
}

// The same through a service that reflects: io_uring sends large receives straight back from
// their buffer, and what a socket does not take at once is queued behind, in order.
TEST_P(ConnectionContract, ManyStreamsAtOnceThroughAReflectingEchoEachGetTheirOwnBytes) {
  reactor::EventLoop loop;
  Reflector echo;
  expect_streams_echoed_exactly(*this, echo, loop);
}

// Busy peers keep the first `busy` connections ping-ponging while the others, once those are
// busy, send one line each: true when every late one has its echo back within the bound.
bool late_peers_answered(std::vector<TcpPair>& pairs, std::size_t busy) {
  const std::string line = "0123456789abcdef0123456789abcdef\n";
  std::vector<std::size_t> owed(pairs.size(), 0);  // Echo bytes still due.
  const auto start = Clock::now(), deadline = start + 20s;
  bool late_sent = false;
  std::size_t late_answered = 0;
  char chunk[4096];
  while (late_answered < pairs.size() - busy && Clock::now() < deadline) {
    if (!late_sent && Clock::now() - start > 300ms) {
      for (std::size_t i = busy; i < pairs.size(); ++i) {
        if (::send(pairs[i].client.get(), line.data(), line.size(), MSG_NOSIGNAL) > 0) {
          owed[i] = line.size();
        }
      }
      late_sent = true;
    }
    std::vector<pollfd> fds;
    for (auto& pair : pairs) fds.push_back({pair.client.get(), POLLIN, 0});
    for (std::size_t i = 0; i < busy; ++i) {  // Every busy peer with nothing due sends again.
      if (owed[i] == 0 &&
          ::send(fds[i].fd, line.data(), line.size(), MSG_DONTWAIT | MSG_NOSIGNAL) > 0) {
        owed[i] = line.size();
      }
    }
    if (::poll(fds.data(), fds.size(), 100) < 0) return false;
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      if ((fds[i].revents & POLLIN) == 0) continue;
      const ssize_t got = ::recv(fds[i].fd, chunk, sizeof chunk, MSG_DONTWAIT);
      if (got <= 0 || static_cast<std::size_t>(got) > owed[i]) return false;
      owed[i] -= static_cast<std::size_t>(got);
      if (i >= busy && owed[i] == 0) ++late_answered;
    }
  }
  return late_answered == pairs.size() - busy;
}

// More connections with bytes waiting than io_uring has stream buffers (forced down to 16),
// through a batching service (whose waits gather completions): receives that find no buffer
// are armed again, those that found none the longest first, so that a connection never loses
// to busier ones round after round. (Kept in the order they came, a room of 1,000 chatting
// members left its 300-400 latest waiting for good for their login.)
TEST_P(ConnectionContract, ContendedReceiveBuffersStarveNoConnection) {
  reactor::EventLoop loop;
  BatchingAmplifier echo;
  constexpr std::size_t kBusy = 200, kLate = 20;
  std::vector<TcpPair> pairs(kBusy + kLate);
  auto pool = made_with_hook("SOKET_URING_STREAM_BUFFERS", "16",
                             [&] { return make_pool(loop, echo, ConnectionSettings{}); });
  ASSERT_NE(pool, nullptr);
  for (auto& pair : pairs) ASSERT_NE(pool->add(std::move(pair.server), net::Address{}), nullptr);
  EXPECT_TRUE(run_beside_peers(loop, [&] { return late_peers_answered(pairs, kBusy); }));
  EXPECT_EQ(echo.closes, 0);
}

// epoll alone: a closed connection leaves nothing in the loop's epoll set.
TEST(ConnectionTable, LeavesNothingWatchedOnceClosed) {
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
  EXPECT_EQ(pair.drain(), "abc");
  EXPECT_EQ(loop.watched_count(), 1u);  // Only the loop's own wakeup fd: nothing leaked.
}

INSTANTIATE_TEST_SUITE_P(Engines, ConnectionContract, kBothEngines, engine_case_name);

}  // namespace
}  // namespace soket::conn
