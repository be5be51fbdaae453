// soket transform over TCP and UDP, with many clients at once and nc as a client.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <regex>
#include <thread>

#include "net/deadline_io.h"
#include "net/socket_ops.h"
#include "support/child_process.h"
#include "support/line_peer.h"

namespace soket::test {
namespace {

// "{text} | {count} karakter | YYYY-MM-DD HH:MM:SS | Data telah diproses", parsed from the
// end (the text may hold anything, and std::regex recurses per character on long input).
bool is_reply(const std::string& reply, const std::string& text, std::size_t count) {
  const std::string tail = " | Data telah diproses";
  const std::string middle = " | " + std::to_string(count) + " karakter | ";
  const std::size_t stamp = 19;
  if (reply.size() < text.size() + middle.size() + stamp + tail.size()) return false;
  const std::size_t stamp_at = reply.size() - tail.size() - stamp;
  return reply.compare(0, text.size(), text) == 0 &&
         reply.compare(text.size(), middle.size(), middle) == 0 &&
         text.size() + middle.size() == stamp_at &&
         std::regex_match(reply.substr(stamp_at, stamp),
                          std::regex(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)")) &&
         reply.compare(reply.size() - tail.size(), tail.size(), tail) == 0;
}

// Transform over TCP: bytes sent as they are, replies read a line at a time.
class LineConnection : public LinePeer {
 public:
  explicit LineConnection(int port) : LinePeer(port, net::Transport::tcp) {}
  void send(std::string_view bytes) { send_raw(bytes); }
  std::string read_line() { return next(std::chrono::seconds(10)); }
};

TEST(Transform, ListensOnTcpAndUdpOnTheSamePort) {
  auto server = start_soket_server({"transform", "server", "-p", "0"});
  auto udp_line = server.process->wait_for_line("(udp)");
  ASSERT_TRUE(udp_line.has_value());
  EXPECT_EQ(port_of(*udp_line), server.port);
  EXPECT_NE(server.line.find("(tcp)"), std::string::npos);
}

TEST(Transform, RepliesToEachLineOverTcp) {
  auto server = start_soket_server({"transform", "server", "-p", "0", "--tcp"});
  LineConnection c(server.port);
  c.send("Hello World\n  ipin  \r\nStra\u00DFe\n\n");
  EXPECT_TRUE(is_reply(c.read_line(), "hELLO wORLD", 11));
  EXPECT_TRUE(is_reply(c.read_line(), "IPIN", 8));
  EXPECT_TRUE(is_reply(c.read_line(), "sTRASSE", 6));
  EXPECT_TRUE(is_reply(c.read_line(), "", 0));
}

TEST(Transform, OverlongLineGetsAnErrorAndTheConnectionGoesOn) {
  auto server = start_soket_server({"transform", "server", "-p", "0", "--tcp"});
  LineConnection c(server.port);
  c.send(std::string(70000, 'a') + "\nafter\n");
  EXPECT_EQ(c.read_line(), "ERROR line too long (max 65536 bytes)");
  EXPECT_TRUE(is_reply(c.read_line(), "AFTER", 5));
  // A line of exactly 65,536 bytes is still a message.
  c.send(std::string(65536, 'b') + "\n");
  EXPECT_TRUE(is_reply(c.read_line(), std::string(65536, 'B'), 65536));
}

TEST(Transform, NulBytesAreCharacters) {
  auto server = start_soket_server({"transform", "server", "-p", "0", "--tcp"});
  LineConnection c(server.port);
  c.send(std::string("a\0b\n", 4));
  const std::string reply = c.read_line();
  EXPECT_EQ(reply.substr(0, 3), std::string("A\0B", 3));
  EXPECT_NE(reply.find("| 3 karakter |"), std::string::npos);
}

TEST(Transform, TwoHundredClientsEachSendAHundredLines) {
  auto server = start_soket_server({"transform", "server", "-p", "0", "--tcp", "-q"});
  std::atomic<int> good{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&, t] {
      std::vector<std::unique_ptr<LineConnection>> mine;
      for (int i = 0; i < 25; ++i) mine.push_back(std::make_unique<LineConnection>(server.port));
      for (int line = 0; line < 100; ++line) {
        for (int i = 0; i < 25; ++i)
          mine[i]->send("Client" + std::to_string(t * 25 + i) + " line\n");
        for (int i = 0; i < 25; ++i) {
          const std::string expected = "cLIENT" + std::to_string(t * 25 + i) + " LINE";
          if (is_reply(mine[i]->read_line(), expected, expected.size())) ++good;
        }
      }
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(good.load(), 200 * 100);
}

TEST(Transform, TwoHundredUdpClientsEachSendAHundredDatagrams) {
  auto server = start_soket_server({"transform", "server", "-p", "0", "--udp", "-q"});
  std::atomic<int> good{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&, t] {
      std::vector<std::unique_ptr<LinePeer>> mine;
      for (int i = 0; i < 25; ++i) {
        mine.push_back(std::make_unique<LinePeer>(server.port, net::Transport::udp));
      }
      for (int line = 0; line < 100; ++line) {
        for (int i = 0; i < 25; ++i) {
          const std::string expected =
              "uDP" + std::to_string(t * 25 + i) + " #" + std::to_string(line);
          mine[i]->send("Udp" + std::to_string(t * 25 + i) + " #" + std::to_string(line));
          // Each reply is checked on the socket that sent it: it reached its own sender.
          if (is_reply(mine[i]->next(), expected, expected.size())) ++good;
        }
      }
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(good.load(), 200 * 100);
}

TEST(Transform, UdpRepliesGoToEachSender) {
  auto server = start_soket_server({"transform", "server", "-p", "0", "--udp"});
  for (int i = 0; i < 10; ++i) {
    auto address =
        net::Address::parse("127.0.0.1", static_cast<std::uint16_t>(server.port)).value();
    auto socket = net::connect_any({address}, net::Transport::udp, Clock::now() + 5s);
    ASSERT_TRUE(socket.ok());
    const std::string message = "Sender " + std::to_string(i) + "\n";
    ASSERT_TRUE(
        net::send_datagram(socket->fd.get(), soket::as_bytes(message), Clock::now() + 5s).ok());
    char reply[65536];
    auto got = net::read_some(socket->fd.get(), std::as_writable_bytes(std::span(reply)),
                              Clock::now() + 5s);
    ASSERT_TRUE(got.ok());
    const std::string text(reply, *got);
    ASSERT_EQ(text.back(), '\n');
    const std::string expected = "sENDER " + std::to_string(i);
    EXPECT_TRUE(is_reply(text.substr(0, text.size() - 1), expected, expected.size())) << text;
  }
}

TEST(Transform, NetcatIsAClient) {
  auto server = start_soket_server({"transform", "server", "-p", "0"});
  auto result = run({"nc", "-N", "127.0.0.1", std::to_string(server.port)}, "Hello World\nlast");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  const auto end = result.out.find('\n');
  ASSERT_NE(end, std::string::npos);
  EXPECT_TRUE(is_reply(result.out.substr(0, end), "hELLO wORLD", 11)) << result.out;
  // The last message had no LF: it is answered all the same when nc closes.
  const auto rest = result.out.substr(end + 1);
  EXPECT_TRUE(is_reply(rest.substr(0, rest.size() - 1), "LAST", 4)) << result.out;
}

TEST(Transform, SoketClientOverBothTransports) {
  auto server = start_soket_server({"transform", "server", "-p", "0"});
  for (const char* udp : {"", "--udp"}) {
    std::vector<std::string> args = {soket_binary(),
                                     "transform",
                                     "client",
                                     "-H",
                                     "127.0.0.1",
                                     "-p",
                                     std::to_string(server.port),
                                     "-m",
                                     "\u00C9COLE \u00E9t\u00E9"};
    if (*udp) args.push_back(udp);
    auto result = run(args);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    ASSERT_FALSE(result.out.empty());
    EXPECT_TRUE(
        is_reply(result.out.substr(0, result.out.size() - 1), "\u00E9cole \u00C9T\u00C9", 9))
        << result.out;
  }
}

}  // namespace
}  // namespace soket::test
