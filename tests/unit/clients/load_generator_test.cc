#include "clients/load_generator.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <thread>

#include "conn/udp_endpoint.h"
#include "services/background_server.h"
#include "services/echo_service.h"

namespace soket::clients {
namespace {

using namespace std::chrono_literals;

// A server no real program is: it echoes with one bit flipped in every 1000th byte, so the
// load generator's check has something to catch.
class CorruptingEcho final : public services::LoopService {
 public:
  void on_data(conn::Connection& connection, Buffer& input) noexcept override {
    std::string bytes(input.readable_text());
    for (char& c : bytes) {
      if (++seen_ % 1000 == 0) c = static_cast<char>(c ^ 1);
    }
    connection.send(bytes);
    input.clear();
  }

 private:
  std::uint64_t seen_ = 0;
};

LoadConfig quick(std::uint16_t port, net::Transport transport, LoadMode mode) {
  LoadConfig config;
  config.port = port;
  config.transport = transport;
  config.mode = mode;
  config.connections = 8;
  config.duration = 300ms;
  config.warmup = 50ms;
  config.threads = 2;
  config.server_pid = ::getpid();
  return config;
}

services::ServerConfig server_config(bool udp) {
  services::ServerConfig config;
  config.tcp = !udp;
  config.udp = udp;
  return config;
}

TEST(LoadGenerator, PingPongAgainstEchoHasNoFailures) {
  for (const bool udp : {false, true}) {
    services::BackgroundServer server(server_config(udp), [](reactor::EventLoop&) {
      return std::make_unique<services::EchoService>();
    });
    ASSERT_FALSE(server.start().has_value());
    auto config = quick(server.endpoints()[0].address.port(),
                        udp ? net::Transport::udp : net::Transport::tcp, LoadMode::pingpong);
    config.pipeline = 4;
    auto report = run_load(config);
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(report->connected, 8);
    EXPECT_GT(report->messages, 100u);
    EXPECT_EQ(report->integrity_failures, 0u);
    EXPECT_EQ(report->errors, 0u);
    EXPECT_GT(report->latency.p50_ns, 0u);
    EXPECT_LE(report->latency.p50_ns, report->latency.p99_ns);
    EXPECT_GT(report->fairness, 0.0);
    ASSERT_TRUE(report->server_cpu_ns_per_message.has_value());
    EXPECT_EQ(server.stop().connections, udp ? 0u : 8u);
  }
}

TEST(LoadGenerator, StreamModeChecksEveryByte) {
  services::BackgroundServer server(server_config(false), [](reactor::EventLoop&) {
    return std::make_unique<services::EchoService>();
  });
  ASSERT_FALSE(server.start().has_value());
  auto config = quick(server.endpoints()[0].address.port(), net::Transport::tcp, LoadMode::stream);
  config.message_size = 65536;
  auto report = run_load(config);
  ASSERT_TRUE(report.ok());
  EXPECT_GT(report->bytes, 1u << 20);
  EXPECT_EQ(report->integrity_failures, 0u);
}

TEST(LoadGenerator, CatchesACorruptedEcho) {
  services::BackgroundServer server(
      server_config(false), [](reactor::EventLoop&) { return std::make_unique<CorruptingEcho>(); });
  ASSERT_FALSE(server.start().has_value());
  auto config =
      quick(server.endpoints()[0].address.port(), net::Transport::tcp, LoadMode::pingpong);
  auto report = run_load(config);
  ASSERT_TRUE(report.ok());
  EXPECT_GT(report->integrity_failures, 0u);
}

TEST(LoadGenerator, IdleModeHoldsConnections) {
  services::BackgroundServer server(server_config(false), [](reactor::EventLoop&) {
    return std::make_unique<services::EchoService>();
  });
  ASSERT_FALSE(server.start().has_value());
  auto config = quick(server.endpoints()[0].address.port(), net::Transport::tcp, LoadMode::idle);
  config.connections = 200;
  auto report = run_load(config);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->connected, 200);
  EXPECT_EQ(report->messages, 0u);
  EXPECT_TRUE(report->server_rss_bytes_per_connection.has_value());
}

TEST(LoadGenerator, NothingListeningIsConnectionRefused) {
  std::uint16_t port = 0;
  {
    services::BackgroundServer server(server_config(false), [](reactor::EventLoop&) {
      return std::make_unique<services::EchoService>();
    });
    ASSERT_FALSE(server.start().has_value());
    port = server.endpoints()[0].address.port();
  }  // The server and its listening socket are gone.
  auto report = run_load(quick(port, net::Transport::tcp, LoadMode::pingpong));
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error(), std::errc::connection_refused);
}

TEST(LoadGenerator, RateHoldsTheScheduleOverTcpAndUdp) {
  for (const bool udp : {false, true}) {
    services::BackgroundServer server(server_config(udp), [](reactor::EventLoop&) {
      return std::make_unique<services::EchoService>();
    });
    ASSERT_FALSE(server.start().has_value());
    auto config = quick(server.endpoints()[0].address.port(),
                        udp ? net::Transport::udp : net::Transport::tcp, LoadMode::pingpong);
    config.connections = 4;
    config.rate = 400;
    config.duration = 1s;
    config.warmup = 200ms;
    auto report = run_load(config);
    ASSERT_TRUE(report.ok());
    // 400 in the second; wide margins for a loaded machine. Unpaced, loopback does 10,000s.
    EXPECT_GE(report->messages, 200u) << udp;
    EXPECT_LE(report->messages, 600u) << udp;
    EXPECT_EQ(report->latency.count, report->messages);
    ASSERT_TRUE(report->uncorrected.has_value());
    EXPECT_EQ(report->uncorrected->count, report->messages);
    EXPECT_NEAR(report->scheduled_messages, 400 * report->seconds, 1);
    EXPECT_EQ(report->errors, 0u);
  }
}

TEST(LoadGenerator, IntervalsSliceTheMeasuredWindow) {
  services::BackgroundServer server(server_config(false), [](reactor::EventLoop&) {
    return std::make_unique<services::EchoService>();
  });
  ASSERT_FALSE(server.start().has_value());
  auto config =
      quick(server.endpoints()[0].address.port(), net::Transport::tcp, LoadMode::pingpong);
  config.duration = 1s;
  config.interval = 250ms;
  const auto caller = std::this_thread::get_id();
  int called = 0;
  config.on_interval = [&](const IntervalReport& interval) {
    EXPECT_EQ(std::this_thread::get_id(), caller);
    EXPECT_DOUBLE_EQ(interval.start, 0.25 * called);
    ++called;
  };
  auto report = run_load(config);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->intervals.size(), 4u);
  EXPECT_EQ(called, 4);
  std::uint64_t messages = 0, samples = 0;
  for (const auto& interval : report->intervals) {
    EXPECT_GT(interval.messages, 0u);
    EXPECT_GT(interval.latency.p99_ns, 0u);
    messages += interval.messages;
    samples += interval.latency.count;
  }
  EXPECT_DOUBLE_EQ(report->intervals.back().end, 1.0);
  // The slices' counts are read as each closes: never more than the whole, hardly less.
  EXPECT_LE(messages, report->messages);
  EXPECT_GE(messages, report->messages * 9 / 10);
  EXPECT_EQ(samples, report->latency.count);
}

TEST(LoadGenerator, ConnectionsRefusedByAFullServerAreCounted) {
  auto config_full = server_config(false);
  config_full.max_connections = 2;
  services::BackgroundServer server(
      config_full, [](reactor::EventLoop&) { return std::make_unique<services::EchoService>(); });
  ASSERT_FALSE(server.start().has_value());
  auto config =
      quick(server.endpoints()[0].address.port(), net::Transport::tcp, LoadMode::pingpong);
  config.connections = 6;
  config.threads = 1;
  auto report = run_load(config);
  ASSERT_TRUE(report.ok());
  // The server accepts and closes the four past its limit: an end of stream, or a reset
  // when our first message was already there (seen as the connect's own error if it came
  // before we looked).
  EXPECT_EQ(report->closed_by_peer + report->io_errors + report->connect_failures, 4u);
  EXPECT_EQ(report->errors, 4u);
  EXPECT_GT(report->messages, 0u);  // The two it kept were served.
}

}  // namespace
}  // namespace soket::clients
