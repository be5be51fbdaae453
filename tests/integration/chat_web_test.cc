// The chat server's web side with real peers: curl fetches the page, Node's `ws` library
// joins the room over WebSocket beside soket's own TCP and UDP members, and headless
// Chromium (Debian's, driven by playwright-core) uses the page as a student would.
// The Node scripts live in tests/web/ (their packages pinned in its package-lock.json and
// installed by scripts/install-deps.sh).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "integration/chat_peer.h"
#include "integration/chat_server_fixture.h"
#include "support/child_process.h"
#include "support/test_backend.h"
#include "support/ws_peer.h"

namespace soket::test {
namespace {

const std::string kWebDir = WEB_TESTS_DIR;

class ChatWeb : public ChatServerTest {
 protected:
  static void require_node_modules() {
    ASSERT_TRUE(std::filesystem::exists(kWebDir + "/node_modules/ws"))
        << "run scripts/install-deps.sh: it installs tests/web's npm packages";
  }
  // A Node `ws` client (tests/web/ws_client.mjs) with its stdin open for commands.
  std::unique_ptr<ChildProcess> ws_client(int port, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {"node", kWebDir + "/ws_client.mjs", "--url",
                                     "ws://127.0.0.1:" + std::to_string(port) + "/ws"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return std::make_unique<ChildProcess>(argv, /*pipe_stdin=*/true);
  }
};

std::string url(int port, std::string_view path) {
  return "http://127.0.0.1:" + std::to_string(port) + std::string(path);
}

TEST_F(ChatWeb, CurlGetsThePageWithAStrictPolicy) {
  auto server = start();
  const auto page = run({"curl", "-sS", "-i", "--max-time", "10", url(server.port, "/")});
  ASSERT_EQ(page.exit_code, 0) << page.err;
  EXPECT_EQ(page.out.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << page.out.substr(0, 200);
  EXPECT_NE(page.out.find("Content-Type: text/html; charset=utf-8\r\n"), std::string::npos);
  EXPECT_NE(page.out.find("Content-Security-Policy: default-src 'none'; script-src 'sha256-"),
            std::string::npos);
  const auto body = page.out.substr(page.out.find("\r\n\r\n") + 4);
  EXPECT_LT(body.size(), 40u * 1024);
  EXPECT_NE(body.find("<html"), std::string::npos);
  // Nothing from elsewhere, and no inline code the policy would have to allow by name.
  for (const char* banned : {"http://", "https://", " onclick=", " style=\""}) {
    EXPECT_EQ(body.find(banned), std::string::npos) << banned;
  }
  const auto head = run({"curl", "-sS", "-I", "--max-time", "10", url(server.port, "/")});
  EXPECT_NE(head.out.find("HTTP/1.1 200 OK"), std::string::npos);
}

TEST_F(ChatWeb, OtherTargetsAre404AndBadRequestsAre400) {
  auto server = start();
  const auto missing = run({"curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time",
                            "10", url(server.port, "/etc/passwd")});
  EXPECT_EQ(missing.out, "404");
  struct Bad {
    std::string request;
    std::string status;
  };
  const std::vector<Bad> bad = {
      {"GET / HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n", "HTTP/1.1 400 "},
      {"GET / HTTP/1.1\r\nHost: a\r\n folded: no\r\n\r\n", "HTTP/1.1 400 "},
      {"GET / HTTP/2.0\r\nHost: a\r\n\r\n", "HTTP/1.1 505 "},
      {"GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(20000, 'x') + "\r\n\r\n", "HTTP/1.1 431 "},
  };
  for (const auto& [request, status] : bad) {
    WsPeer peer(server.port, request);
    EXPECT_EQ(peer.response_head().rfind(status, 0), 0u) << request.substr(0, 60);
    EXPECT_TRUE(peer.closed_by_server()) << request.substr(0, 60);
  }
  Peer member(server.port, net::Transport::tcp);  // And the room goes on.
  member.join("ani");
}

TEST_F(ChatWeb, RefusedUpgradesSayWhy) {
  auto server = start();
  auto head_for = [&](const std::string& request) {
    WsPeer peer(server.port, request);
    return peer.response_head();
  };
  const auto base = WsPeer::upgrade_request(server.port);
  auto replaced = [&](std::string_view from, std::string_view to) {
    std::string request = base;
    request.replace(request.find(from), from.size(), to);
    return request;
  };
  const auto old_version = head_for(replaced("Version: 13", "Version: 8"));
  EXPECT_EQ(old_version.rfind("HTTP/1.1 426 ", 0), 0u) << old_version;
  EXPECT_NE(old_version.find("Sec-WebSocket-Version: 13\r\n"), std::string::npos);
  EXPECT_EQ(head_for(replaced("GET ", "POST ")).rfind("HTTP/1.1 405 ", 0), 0u);
  EXPECT_EQ(head_for(replaced("dGhlIHNhbXBsZSBub25jZQ==", "short")).rfind("HTTP/1.1 400 ", 0), 0u);
  EXPECT_EQ(head_for(replaced("Upgrade: websocket\r\n", "")).rfind("HTTP/1.1 400 ", 0), 0u);
  const auto foreign =
      head_for(WsPeer::upgrade_request(server.port, "Origin: http://evil.example\r\n"));
  EXPECT_EQ(foreign.rfind("HTTP/1.1 403 ", 0), 0u) << foreign;
  EXPECT_TRUE(server.process->wait_for_line("upgrade from 127.0.0.1:").has_value());
  const auto own = head_for(WsPeer::upgrade_request(
      server.port, "Origin: http://127.0.0.1:" + std::to_string(server.port) + "\r\n"));
  EXPECT_EQ(own.rfind("HTTP/1.1 101 ", 0), 0u) << own;
}

// A password that makes its PASSWORD line read as a request line would be taken for the
// web: refused at start, unless the web is off.
TEST_F(ChatWeb, APasswordThatReadsAsARequestLineIsRefused) {
  const std::string file = password_file_ + ".http";
  std::ofstream(file) << "/kelas HTTP/1.1\n";
  const auto refused = run({soket_binary(), "chat", "server", "-p", "0", "--password-file", file});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("reads as an HTTP request line"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("--no-web"), std::string::npos) << refused.err;
  auto server = start_soket_server(
      {"chat", "server", "-p", "0", "--tcp", "--no-web", "--password-file", file});
  LinePeer member(server.port, net::Transport::tcp);
  member.send("PASSWORD /kelas HTTP/1.1");
  EXPECT_EQ(member.next(), "PASSWORD OK");
  ::unlink(file.c_str());
}

TEST_F(ChatWeb, WebOriginAllowsAnotherSite) {
  auto server = start({"--web-origin", "https://Kelas.Example"});
  WsPeer allowed(server.port,
                 WsPeer::upgrade_request(server.port, "Origin: https://kelas.example\r\n"));
  EXPECT_EQ(allowed.response_head().rfind("HTTP/1.1 101 ", 0), 0u);
  WsPeer other(server.port,
               WsPeer::upgrade_request(server.port, "Origin: https://kelas.example.evil\r\n"));
  EXPECT_EQ(other.response_head().rfind("HTTP/1.1 403 ", 0), 0u);
  const auto bad = run({soket_binary(), "chat", "server", "-p", "0", "--password-file",
                        password_file_, "--web-origin", "kelas.example/x"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("http://HOST[:PORT]"), std::string::npos) << bad.err;
}

TEST_F(ChatWeb, NoWebLeavesOnlyTheLineProtocol) {
  auto server = start({"--no-web"});
  Peer peer(server.port, net::Transport::tcp);
  peer.send("GET / HTTP/1.1");
  EXPECT_EQ(peer.next(), "ERROR not authenticated");
}

TEST_F(ChatWeb, NodeWsMemberChatsWithTcpAndUdpMembers) {
  require_node_modules();
  auto server = start();
  Peer tcp(server.port, net::Transport::tcp), udp(server.port, net::Transport::udp);
  tcp.join("tcp1");
  udp.join("udp1");
  auto web = ws_client(server.port);
  ASSERT_TRUE(web->wait_for_line("open")) << web->err();
  web->write_stdin(std::string("send PASSWORD ") + kPassword + "\n");
  ASSERT_TRUE(web->wait_for_line("text PASSWORD OK")) << web->out();
  web->write_stdin("send USERNAME web1\n");
  ASSERT_TRUE(web->wait_for_line("text USERNAME OK")) << web->out();
  EXPECT_TRUE(tcp.expect("web1 joined the chat room."));
  EXPECT_TRUE(udp.expect("web1 joined the chat room."));
  web->write_stdin("send halo dari browser\n");
  EXPECT_TRUE(tcp.expect("web1: halo dari browser"));
  EXPECT_TRUE(udp.expect("web1: halo dari browser"));
  tcp.send("halo dari tcp");
  udp.send("halo dari udp");
  EXPECT_TRUE(web->wait_for_line("text tcp1: halo dari tcp")) << web->out();
  EXPECT_TRUE(web->wait_for_line("text udp1: halo dari udp")) << web->out();
  web->write_stdin("fragments satu |dua |tiga\n");
  EXPECT_TRUE(tcp.expect("web1: satu dua tiga"));
  web->write_stdin("ping apa kabar\n");
  EXPECT_TRUE(web->wait_for_line("pong apa kabar")) << web->out();
  web->write_stdin("send /who\n");
  EXPECT_TRUE(web->wait_for_line("text members (3): tcp1 udp1 web1")) << web->out();
  tcp.send("/msg web1 rahasia");
  EXPECT_TRUE(web->wait_for_line("text [private] tcp1: rahasia")) << web->out();
  web->write_stdin("close 1000 selesai\n");
  EXPECT_TRUE(web->wait_for_line("close 1000")) << web->out();
  EXPECT_TRUE(tcp.expect("web1 left the chat room."));
  EXPECT_EQ(web->wait_exit(), 0);
}

TEST_F(ChatWeb, NodeWsIsRefusedFromAForeignOriginAndForBinary) {
  require_node_modules();
  auto server = start();
  auto foreign = ws_client(server.port, {"--origin", "http://evil.example"});
  EXPECT_TRUE(foreign->wait_for_line("error Unexpected server response: 403")) << foreign->out();
  foreign->close_stdin();
  EXPECT_EQ(foreign->wait_exit(), 0);
  auto web = ws_client(server.port, {"--origin", url(server.port, "")});
  ASSERT_TRUE(web->wait_for_line("open")) << web->err();
  web->write_stdin("binary 0101\n");
  EXPECT_TRUE(web->wait_for_line("close 1003")) << web->out();
  EXPECT_EQ(web->wait_exit(), 0);
}

TEST_F(ChatWeb, WebMembersAreBoundByTheRoomsRules) {
  auto server = start({"--rate-limit", "5"});
  WsPeer member(server.port);
  member.join(kPassword, "cepat");
  member.send_text("\x1b[2Jbersih");  // Escapes are removed for web members too.
  EXPECT_EQ(member.next_text(), "cepat: bersih");
  for (int i = 0; i < 20; ++i) member.send_text("spam " + std::to_string(i));
  bool slowed = false;
  for (int i = 0; i < 21 && !slowed; ++i) slowed = member.next_text() == "ERROR slow down";
  EXPECT_TRUE(slowed);
  WsPeer guesser(server.port);
  guesser.send_text("PASSWORD salah");
  EXPECT_EQ(guesser.next_text(), "PASSWORD INCORRECT");
}

// Two pages, the soket client over TCP and over UDP, in one room; then the same under an
// Indonesian browser. Chromium is heavy: these run one at a time.
void browse(const std::string& locale) {
  const std::string artifacts = std::string(ARTIFACTS_DIR) + "/chat-web";
  std::filesystem::create_directories(artifacts);
  const std::string password_file =
      "/tmp/soket-chat-browser-" + std::to_string(::getpid()) + ".txt";
  std::ofstream(password_file) << kPassword << "\n";
  auto server = start_soket_server(
      {"chat", "server", "-p", "0", "--password-file", password_file, "--host", "127.0.0.1"});
  server.process->wait_for_line("(udp)");
  const auto result =
      run({"node", kWebDir + "/browser_chat.mjs", "--port", std::to_string(server.port), "--soket",
           soket_binary(), "--password", kPassword, "--artifacts", artifacts, "--locale", locale,
           "--server-pid", std::to_string(server.process->pid()), "--password-file", password_file,
           "--backend", test_backend().empty() ? "auto" : test_backend()},
          {}, 120s);
  ::unlink(password_file.c_str());
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(result.out.find("FAIL"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("ok "), std::string::npos) << result.out;
  for (const char* page : {"/web1-", "/web2-"}) {
    EXPECT_TRUE(std::filesystem::exists(artifacts + page + locale + ".png")) << page;
  }
}

TEST(ChatBrowserHeavy, TwoPagesATcpAndAUdpMemberChatInEnglish) {
  ASSERT_TRUE(std::filesystem::exists(kWebDir + "/node_modules/playwright-core"))
      << "run scripts/install-deps.sh: it installs tests/web's npm packages";
  browse("en-US");
}

TEST(ChatBrowserHeavy, ThePageSpeaksIndonesianToAnIndonesianBrowser) {
  ASSERT_TRUE(std::filesystem::exists(kWebDir + "/node_modules/playwright-core"))
      << "run scripts/install-deps.sh: it installs tests/web's npm packages";
  browse("id-ID");
}

}  // namespace
}  // namespace soket::test
