// soket sockets against ss: the same sockets, in the same states, for a server's port.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>
#include <tuple>

#include "net/deadline_io.h"
#include "net/socket_ops.h"
#include "support/child_process.h"

namespace soket::test {
namespace {

using Row =
    std::tuple<std::string, std::string, std::string, std::string>;  // proto state local peer

std::set<Row> from_ss(int port) {
  auto result = run({"ss", "-tuanH"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  std::set<Row> rows;
  std::istringstream lines(result.out);
  const std::string needle = ":" + std::to_string(port);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string proto, state, recv_q, send_q, local, peer;
    fields >> proto >> state >> recv_q >> send_q >> local >> peer;
    auto ends_with_port = [&](const std::string& a) {
      return a.size() > needle.size() &&
             a.compare(a.size() - needle.size(), needle.size(), needle) == 0;
    };
    if (ends_with_port(local) || ends_with_port(peer)) rows.insert({proto, state, local, peer});
  }
  return rows;
}

std::set<Row> from_soket(int port, std::string& json) {
  auto result = run({soket_binary(), "sockets", "-a", "--port", std::to_string(port), "--json"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  json = result.out;
  std::set<Row> rows;
  const std::regex row(
      R"re("proto":"(\w+)","state":"([\w-]+)".*"local":"([^"]+)","peer":"([^"]+)")re");
  std::istringstream lines(result.out);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_search(line, m, row)) rows.insert({m[1], m[2], m[3], m[4]});
  }
  return rows;
}

TEST(Sockets, SameSetAsSs) {
  auto server = start_soket_server({"echo", "server", "-p", "0", "--threads", "1"});
  std::vector<net::Connected> clients;
  for (int i = 0; i < 3; ++i) {
    auto address =
        net::Address::parse("127.0.0.1", static_cast<std::uint16_t>(server.port)).value();
    auto c = net::connect_any({address}, net::Transport::tcp, Clock::now() + 5s);
    ASSERT_TRUE(c.ok());
    // An exchange proves the server has accepted it: both ends are ESTAB now.
    ASSERT_TRUE(
        net::write_all(c->fd.get(), soket::as_bytes(std::string_view("x")), Clock::now() + 5s)
            .ok());
    std::byte back[1];
    ASSERT_TRUE(net::read_some(c->fd.get(), back, Clock::now() + 5s).ok());
    clients.push_back(std::move(c).value());
  }
  std::string json;
  const auto ours = from_soket(server.port, json);
  const auto theirs = from_ss(server.port);
  EXPECT_EQ(ours, theirs) << json;
  // The listener, and both ends of each connection, each exactly once. Other rows may share
  // the port number (another test's TIME-WAIT socket that once had it), so they are only
  // required to match ss, above.
  const std::string server_end = "127.0.0.1:" + std::to_string(server.port);
  std::size_t mine = 0;
  for (const auto& [proto, state, local, peer] : ours) {
    if (proto == "tcp" && state == "LISTEN" && local == server_end) ++mine;
  }
  for (const auto& client : clients) {
    const auto client_end = net::local_address(client.fd.get()).value().to_string();
    EXPECT_EQ(ours.count({"tcp", "ESTAB", client_end, server_end}), 1u) << json;
    EXPECT_EQ(ours.count({"tcp", "ESTAB", server_end, client_end}), 1u) << json;
    mine += 2;
  }
  EXPECT_EQ(mine, 1u + 2u * 3u) << json;
  auto parsed = run(
      {"python3", "-c", "import json,sys\nfor l in sys.stdin: json.loads(l)\nprint('ok')"}, json);
  EXPECT_EQ(parsed.out, "ok\n") << parsed.err;
}

TEST(Sockets, ListeningAndProcess) {
  auto server = start_soket_server({"transform", "server", "-p", "0"});
  auto result = run({soket_binary(), "sockets", "-l", "-p", "--port", std::to_string(server.port)});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  const std::string pid = std::to_string(server.process->pid());
  EXPECT_TRUE(std::regex_search(
      result.out, std::regex("tcp +LISTEN .*127\\.0\\.0\\.1:" + std::to_string(server.port) +
                             ".* " + pid + "/soket")))
      << result.out;
  EXPECT_TRUE(std::regex_search(result.out, std::regex("udp +UNCONN .* " + pid + "/soket")))
      << result.out;
}

TEST(Sockets, TcpOnlyAndUdpOnly) {
  auto server = start_soket_server({"transform", "server", "-p", "0"});
  const auto port = std::to_string(server.port);
  auto tcp = run({soket_binary(), "sockets", "-t", "-l", "--port", port});
  EXPECT_NE(tcp.out.find("tcp "), std::string::npos);
  EXPECT_EQ(tcp.out.find("udp "), std::string::npos);
  auto udp = run({soket_binary(), "sockets", "-u", "-l", "--port", port});
  EXPECT_EQ(udp.out.find("tcp "), std::string::npos);
  EXPECT_NE(udp.out.find("udp "), std::string::npos);
}

TEST(Sockets, BadPortIsAUsageError) {
  auto result = run({soket_binary(), "sockets", "--port", "99999"});
  EXPECT_EQ(result.exit_code, 3);
}

}  // namespace
}  // namespace soket::test
