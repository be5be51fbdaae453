// soket echo server over TCP, driven as a user would: the real binary, real clients.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>

#include <random>
#include <regex>
#include <thread>

#include "net/deadline_io.h"
#include "net/fd.h"
#include "net/socket_ops.h"
#include "support/child_process.h"
#include "support/echo_load.h"

namespace soket::test {
namespace {

net::Connected connect_tcp(const char* host, int port) {
  auto address = net::Address::parse(host, static_cast<std::uint16_t>(port)).value();
  auto connected = net::connect_any({address}, net::Transport::tcp, Clock::now() + 5s);
  EXPECT_TRUE(connected.ok());
  return std::move(connected).value();
}

std::string read_exactly(int fd, std::size_t size) {
  std::string got(size, '\0');
  std::size_t have = 0;
  while (have < size) {
    auto n = net::read_some(fd, std::as_writable_bytes(std::span(got)).subspan(have),
                            Clock::now() + 10s);
    if (!n || *n == 0) break;
    have += *n;
  }
  got.resize(have);
  return got;
}

TEST(EchoTcp, PrintsTheListeningLineExactly) {
  auto server = start_soket_server({"echo", "server", "-p", "0", "--threads", "2"});
  EXPECT_TRUE(std::regex_match(server.line, std::regex(R"(listening on 127\.0\.0\.1:\d+ \(tcp\))")))
      << server.line;
  EXPECT_GT(server.port, 0);
}

TEST(EchoTcp, ServesIpv6) {
  auto server = start_soket_server({"echo", "server", "-H", "::1", "-p", "0"});
  EXPECT_TRUE(std::regex_match(server.line, std::regex(R"(listening on \[::1\]:\d+ \(tcp\))")));
  auto client = connect_tcp("::1", server.port);
  const std::string message = "over IPv6";
  ASSERT_TRUE(net::write_all(client.fd.get(), soket::as_bytes(message), Clock::now() + 5s).ok());
  EXPECT_EQ(read_exactly(client.fd.get(), message.size()), message);
}

TEST(EchoTcp, IsBinarySafe) {
  auto server = start_soket_server({"echo", "server", "-p", "0"});
  auto client = connect_tcp("127.0.0.1", server.port);
  std::string message;
  for (int i = 0; i < 256 * 64; ++i) message.push_back(static_cast<char>(i % 256));
  ASSERT_TRUE(net::write_all(client.fd.get(), soket::as_bytes(message), Clock::now() + 5s).ok());
  EXPECT_EQ(read_exactly(client.fd.get(), message.size()), message);
}

TEST(EchoTcpHeavy, ThousandConcurrentClientsEachEchoOneMebibyte) {
  auto server = start_soket_server(
      {"echo", "server", "-p", "0", "-q", "--threads", "2", "--backlog", "1024"});
  const auto result = run_echo_load(server.port, 1000, 1 << 20, std::chrono::seconds(240));
  EXPECT_EQ(result.completed, 1000) << "first error: " << result.first_error;
  EXPECT_EQ(result.mismatched, 0);
  EXPECT_EQ(result.failed, 0);
  server.process->send_signal(SIGTERM);
  ASSERT_EQ(server.process->wait_exit(30s), 0);
  EXPECT_NE(server.process->out().find("summary: 1000 connections, 0 datagrams in, 0 datagrams "
                                       "out, 1048576000 bytes in, 1048576000 bytes out"),
            std::string::npos)
      << server.process->out();
}

TEST(EchoTcp, EchoesEveryByteInOrderToTwoHundredBulkPeers) {
  // On the suite's backend (start_soket_server adds --backend and checks it ran).
  auto server = start_soket_server({"echo", "server", "-p", "0", "-q", "--threads", "2"});
  const auto result = run_echo_load(server.port, 200, 256 * 1024, std::chrono::seconds(120));
  EXPECT_EQ(result.completed, 200) << "first error: " << result.first_error;
  EXPECT_EQ(result.mismatched, 0);
  auto nc = run({"nc", "-N", "127.0.0.1", std::to_string(server.port)}, "and one more\n");
  EXPECT_EQ(nc.out, "and one more\n");
  server.process->send_signal(SIGTERM);
  ASSERT_EQ(server.process->wait_exit(30s), 0) << server.process->err();
  EXPECT_NE(server.process->out().find("summary: 201 connections, 0 datagrams in, 0 datagrams out, "
                                       "52428813 bytes in, 52428813 bytes out"),
            std::string::npos)
      << server.process->out();
}

TEST(EchoTcp, KeepsOrderWhenAPeerReadsSlowerThanItWrites) {
  // A tiny receive window makes the echo back slower than the bytes coming in, so the
  // server's queue for this peer grows past its limit: receiving pauses and resumes, and
  // queued buffers go out several to a send. Every byte must still come back in order.
  auto server = start_soket_server({"echo", "server", "-p", "0", "-q", "--threads", "1"});
  // SO_RCVBUF before connect(), as a real small-window peer has it: shrunk after the
  // handshake on loopback, the window falls below the 64 KiB MSS the sender already chose,
  // and the kernel then sends only on zero-window probes (a few KiB a second), whatever the
  // server does.
  net::Fd client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const int small = 16 * 1024;
  ASSERT_EQ(::setsockopt(client.get(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small), 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<std::uint16_t>(server.port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(client.get(), reinterpret_cast<const sockaddr*>(&to), sizeof to), 0);
  std::string payload(24 << 20, '\0');
  std::mt19937 random(7);
  for (auto& c : payload) c = static_cast<char>(random());
  std::thread writer([&] {
    EXPECT_TRUE(net::write_all(client.get(), soket::as_bytes(payload), Clock::now() + 60s).ok());
    ::shutdown(client.get(), SHUT_WR);
  });
  const std::string echoed = read_exactly(client.get(), payload.size());
  writer.join();
  EXPECT_EQ(echoed.size(), payload.size());
  EXPECT_TRUE(echoed == payload) << "the echo differs from what was sent";
}

TEST(EchoTcp, NetcatIsAClient) {
  auto server = start_soket_server({"echo", "server", "-p", "0"});
  // -N: shut the socket down after stdin's EOF; the server then echoes and closes.
  auto result = run({"nc", "-N", "127.0.0.1", std::to_string(server.port)}, "hello from nc\n");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "hello from nc\n");
}

TEST(EchoTcp, SocatIsAClient) {
  auto server = start_soket_server({"echo", "server", "-p", "0"});
  std::string payload;
  for (int i = 0; i < 100000; ++i) payload.push_back(static_cast<char>('a' + i % 26));
  auto result =
      run({"socat", "-t", "5", "-", "TCP:127.0.0.1:" + std::to_string(server.port)}, payload);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, payload);
}

TEST(EchoTcp, IdleTimeoutClosesSilentClients) {
  // The close is awaited as an event (EOF) with a wide deadline; only the lower bound is
  // timed, and the server cannot close before its own deadline however loaded the machine.
  auto server = start_soket_server({"echo", "server", "-p", "0", "--idle-timeout", "1"});
  const auto start = Clock::now();
  auto client = connect_tcp("127.0.0.1", server.port);
  std::byte into[8];
  auto got = net::read_some(client.fd.get(), into, Clock::now() + 30s);
  ASSERT_TRUE(got.ok()) << got.error().message();
  EXPECT_EQ(*got, 0u);  // EOF: the server closed us.
  EXPECT_GE(Clock::now() - start, 1s);
  auto second = connect_tcp("127.0.0.1", server.port);
  ASSERT_TRUE(
      net::write_all(second.fd.get(), soket::as_bytes(std::string_view("again")), Clock::now() + 5s)
          .ok());
  EXPECT_EQ(read_exactly(second.fd.get(), 5), "again");
}

TEST(EchoTcp, SigtermWithClientsConnectedFlushesAndExitsZero) {
  auto server = start_soket_server({"echo", "server", "-p", "0", "--threads", "2"});
  std::vector<net::Connected> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(connect_tcp("127.0.0.1", server.port));
    const std::string message = "client " + std::to_string(i);
    ASSERT_TRUE(
        net::write_all(clients.back().fd.get(), soket::as_bytes(message), Clock::now() + 5s).ok());
    EXPECT_EQ(read_exactly(clients.back().fd.get(), message.size()), message);
  }
  server.process->send_signal(SIGTERM);
  ASSERT_EQ(server.process->wait_exit(10s), 0) << server.process->err();
  EXPECT_NE(server.process->out().find("summary: 3 connections, 0 datagrams in, 0 datagrams out, "
                                       "24 bytes in, 24 bytes out"),
            std::string::npos)
      << server.process->out();
  for (auto& client : clients) {
    std::byte into[8];
    auto got = net::read_some(client.fd.get(), into, Clock::now() + 5s);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(*got, 0u);  // Closed by the server, cleanly.
  }
}

TEST(EchoTcp, MaxConnsRefusesTheSurplus) {
  auto server = start_soket_server({"echo", "server", "-p", "0", "--max-conns", "1", "--threads",
                                    "1", "--handshake-timeout", "0"});
  auto first = connect_tcp("127.0.0.1", server.port);
  ASSERT_TRUE(
      net::write_all(first.fd.get(), soket::as_bytes(std::string_view("1")), Clock::now() + 5s)
          .ok());
  EXPECT_EQ(read_exactly(first.fd.get(), 1), "1");
  auto second = connect_tcp("127.0.0.1", server.port);
  // The surplus connection must be closed by the server (end of stream or reset), which a
  // server ignoring the limit would not do: then the read times out, and that is a failure
  // (no handshake timeout, which would close it too).
  std::byte into[8];
  auto got = net::read_some(second.fd.get(), into, Clock::now() + 10s);
  if (got.ok()) {
    EXPECT_EQ(*got, 0u);
  } else {
    EXPECT_EQ(got.error(), std::errc::connection_reset) << got.error().message();
  }
  // The first is still served.
  ASSERT_TRUE(
      net::write_all(first.fd.get(), soket::as_bytes(std::string_view("2")), Clock::now() + 5s)
          .ok());
  EXPECT_EQ(read_exactly(first.fd.get(), 1), "2");
}

TEST(EchoClient, TalksToSocatEchoServer) {
  // socat as the echo server, on a port it picks and reports (-d -d), so no port is guessed.
  ChildProcess socat({"socat", "-d", "-d", "TCP-LISTEN:0,bind=127.0.0.1,reuseaddr,fork", "PIPE"});
  auto line = socat.wait_for_stderr_line("listening on");
  ASSERT_TRUE(line.has_value()) << socat.err();
  const int port = port_of(*line);
  auto result = run({soket_binary(), "echo", "client", "-H", "127.0.0.1", "-p",
                     std::to_string(port), "-m", "one", "-m", "two words", "-m", ""});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "one\ntwo words\n\n");
}

TEST(EchoClient, ReadsLinesFromStdinWithoutPrompt) {
  auto server = start_soket_server({"echo", "server", "-p", "0"});
  auto result = run({soket_binary(), "echo", "client", "-p", std::to_string(server.port)},
                    "first line\r\nsecond\n");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "first line\nsecond\n");
}

}  // namespace
}  // namespace soket::test
