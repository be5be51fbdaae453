// soket echo server over UDP: datagrams of every size back to their own sender.
#include <gtest/gtest.h>
#include <signal.h>

#include <regex>

#include "net/deadline_io.h"
#include "net/socket_ops.h"
#include "support/child_process.h"

namespace soket::test {
namespace {

std::string echo_datagram(const char* host, int port, const std::string& payload) {
  auto address = net::Address::parse(host, static_cast<std::uint16_t>(port)).value();
  auto socket = net::connect_any({address}, net::Transport::udp, Clock::now() + 5s);
  EXPECT_TRUE(socket.ok());
  EXPECT_TRUE(
      net::send_datagram(socket->fd.get(), soket::as_bytes(payload), Clock::now() + 5s).ok());
  std::string got(70000, '\0');
  auto n =
      net::read_some(socket->fd.get(), std::as_writable_bytes(std::span(got)), Clock::now() + 5s);
  EXPECT_TRUE(n.ok()) << (n.ok() ? "" : n.error().message());
  got.resize(n.ok() ? *n : 0);
  return got;
}

TEST(EchoUdp, PrintsTheUdpListeningLine) {
  auto server = start_soket_server({"echo", "server", "--udp", "-p", "0"});
  EXPECT_TRUE(std::regex_match(server.line, std::regex(R"(listening on 127\.0\.0\.1:\d+ \(udp\))")))
      << server.line;
}

TEST(EchoUdp, EchoesOneByteAndTheLargestDatagram) {
  auto server = start_soket_server({"echo", "server", "--udp", "-p", "0", "--threads", "2"});
  EXPECT_EQ(echo_datagram("127.0.0.1", server.port, "x"), "x");
  std::string largest(65507, '\0');
  for (std::size_t i = 0; i < largest.size(); ++i) largest[i] = static_cast<char>(i * 31 % 251);
  EXPECT_EQ(echo_datagram("127.0.0.1", server.port, largest), largest);
  EXPECT_EQ(echo_datagram("127.0.0.1", server.port, ""), "");
}

TEST(EchoUdp, ServesIpv6) {
  auto server = start_soket_server({"echo", "server", "--udp", "-H", "::1", "-p", "0"});
  EXPECT_NE(server.line.find("[::1]:"), std::string::npos);
  EXPECT_EQ(echo_datagram("::1", server.port, "six"), "six");
}

TEST(EchoUdp, RepliesReachEachSenderOnly) {
  auto server = start_soket_server({"echo", "server", "--udp", "-p", "0"});
  for (int i = 0; i < 20; ++i) {
    const std::string payload = "sender " + std::to_string(i);
    EXPECT_EQ(echo_datagram("127.0.0.1", server.port, payload), payload);
  }
  server.process->send_signal(SIGTERM);
  ASSERT_EQ(server.process->wait_exit(10s), 0);
  EXPECT_NE(server.process->out().find("20 datagrams in, 20 datagrams out"), std::string::npos)
      << server.process->out();
}

TEST(EchoUdp, SocatIsAClient) {
  auto server = start_soket_server({"echo", "server", "--udp", "-p", "0"});
  // socat waits -t seconds after its input ends for the reply: wide enough for a loaded
  // machine (the test takes that long, whatever the server does).
  auto result = run({"socat", "-t", "3", "-", "UDP:127.0.0.1:" + std::to_string(server.port)},
                    "over socat\n");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "over socat\n");
}

TEST(EchoUdp, SoketClientSendsTheLargestDatagram) {
  auto server = start_soket_server({"echo", "server", "--udp", "-p", "0"});
  const std::string largest(65507, 'u');
  auto result = run({soket_binary(), "echo", "client", "--udp", "-H", "127.0.0.1", "-p",
                     std::to_string(server.port), "-m", "a", "-m", largest});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "a\n" + largest + "\n");
}

}  // namespace
}  // namespace soket::test
