// The chat server's web side against hostile peers: a request head that never ends, a
// WebSocket that never joins, a member that never reads, one that vanishes mid-frame, and
// frame headers that announce more than any message may hold. Each peer is a raw WebSocket
// (support/ws_peer.h) that lies where a real library would not.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "hostile/hostile_server.h"
#include "support/line_peer.h"
#include "support/ws_peer.h"

namespace soket::test {
namespace {

constexpr const char* kPassword = "sesame";

class ChatWebHostile : public testing::Test {
 protected:
  StartedServer start(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"chat",  "server",          "-p",          "0",
                                     "--tcp", "--password-file", password_file_};
    args.insert(args.end(), extra.begin(), extra.end());
    return start_soket_server(args);
  }
  void SetUp() override {
    password_file_ = "/tmp/soket-chat-web-hostile-" + std::to_string(::getpid()) + ".txt";
    std::ofstream(password_file_) << kPassword << "\n";
  }
  void TearDown() override { ::unlink(password_file_.c_str()); }
  std::string password_file_;
};

TEST_F(ChatWebHostile, HeadsThatNeverEndAndSocketsThatNeverJoinAreClosedInTime) {
  auto server = start({"--handshake-timeout", "1"});
  WsPeer slow_head(server.port, "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  WsPeer never_joins(server.port);
  never_joins.send_text(std::string("PASSWORD ") + kPassword);
  EXPECT_EQ(never_joins.next_text(), "PASSWORD OK");
  EXPECT_TRUE(slow_head.closed_by_server(15s));
  EXPECT_TRUE(never_joins.closed_by_server(15s));
  WsPeer member(server.port);  // The door is still open to a member that joins.
  member.join(kPassword, "tepat");
}

TEST_F(ChatWebHostile, WebMemberThatNeverReadsIsDroppedAtMaxOutput) {
  auto server = start({"--max-output", "262144", "--sndbuf", "65536", "--rate-limit", "0"});
  WsPeer sink(server.port);
  sink.join(kPassword, "sink");
  sink.shrink_receive_buffer(4096);
  LinePeer talker(server.port, net::Transport::tcp);
  talker.send(std::string("PASSWORD ") + kPassword);
  ASSERT_EQ(talker.next(), "PASSWORD OK");
  talker.send("USERNAME talker");
  ASSERT_EQ(talker.next(), "USERNAME OK");
  const std::string line(3000, 'z');
  bool dropped = false;
  // 256 KiB queued, plus what the kernel buffers, is well under 2,000 lines of 3,000 bytes.
  for (int i = 0; i < 2000 && !dropped; ++i) {
    talker.send(line);
    for (std::string heard = talker.next(10s); heard != "talker: " + line;
         heard = talker.next(10s)) {
      ASSERT_NE(heard, "<timeout>");
      ASSERT_NE(heard, "<closed>");
      dropped = dropped || heard == "sink left the chat room.";
    }
  }
  EXPECT_TRUE(dropped || talker.expect("sink left the chat room.", 10s));
  EXPECT_TRUE(server.process->wait_for_line("sink left (not reading: over 262144 bytes queued)"));
}

TEST_F(ChatWebHostile, AMemberResetMidFrameLeavesAndTheRoomGoesOn) {
  auto server = start();
  WsPeer watcher(server.port), vanisher(server.port);
  watcher.join(kPassword, "watcher");
  vanisher.join(kPassword, "vanisher");
  EXPECT_EQ(watcher.next_text(), "vanisher joined the chat room.");
  const auto frame = frame_bytes({0x1, std::string(1000, 'v')});
  vanisher.send_raw(std::string_view(frame).substr(0, 500));
  vanisher.reset();
  EXPECT_EQ(watcher.next_text(10s), "vanisher left the chat room.");
  watcher.send_text("masih di sini");
  EXPECT_EQ(watcher.next_text(), "watcher: masih di sini");
}

// What ends the exchange (a Close, an "exit", a binary message, a request answered and
// closed) followed at once by a reset: the server's own close then fails at once, the
// connection ends inside the read that asked for it, and nothing of it may be touched after.
// (Found by the sanitizers: a browser tab's "Leave" freed the web state mid-read.)
TEST_F(ChatWebHostile, PeersThatEndAndResetAtOnceLeaveNothingBehind) {
  auto server = start();
  WsPeer watcher(server.port);
  watcher.join(kPassword, "watcher");
  const std::vector<std::string> endings = {frame_bytes({0x8, std::string("\x03\xe8", 2)}),
                                            frame_bytes({0x1, "exit"}), frame_bytes({0x2, "\x01"}),
                                            frame_bytes({0x1, std::string("\xff", 1)})};
  for (int round = 0; round < 10; ++round) {
    for (std::size_t i = 0; i < endings.size(); ++i) {
      const std::string name = "pergi" + std::to_string(round) + "x" + std::to_string(i);
      WsPeer leaver(server.port);
      leaver.join(kPassword, name);
      ASSERT_EQ(watcher.next_text(), name + " joined the chat room.");
      leaver.send_raw(endings[i]);
      leaver.reset();
      ASSERT_EQ(watcher.next_text(10s), name + " left the chat room.");
    }
    for (const char* request : {"GET / HTTP/1.1\r\nHost: a\r\n\r\n", "GET / HTTP/1.0\r\n\r\n",
                                "GET /nope HTTP/1.1\r\nHost: a\r\n\r\n"}) {
      WsPeer(server.port, request).reset();
    }
  }
  watcher.send_text("masih di sini");
  EXPECT_EQ(watcher.next_text(), "watcher: masih di sini");
  EXPECT_FALSE(server.process->wait_exit(0ms).has_value()) << server.process->err();
}

// A request line longer than a chat line, cut by TCP after the chat line's limit: it stays
// HTTP. Were it judged the line protocol there, a foreign page could post a form whose body
// holds chat lines ("PASSWORD ...", "USERNAME ...", text) from a visitor's browser, past the
// Origin check. The first piece alone gets no answer (the line protocol would say "ERROR
// line too long" at once); the whole request gets the web's 404.
TEST_F(ChatWebHostile, ALongRequestLineCutByTcpStaysHttp) {
  auto server = start();
  WsPeer watcher(server.port);
  watcher.join(kPassword, "watcher");
  WsPeer form(server.port, "POST /" + std::string(4200, 'a'));
  EXPECT_EQ(form.response_head(1s), "<timeout>");
  const std::string body = std::string("PASSWORD ") + kPassword + "\nUSERNAME viahttp\nsmuggled\n";
  form.send_raw(" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: " +
                std::to_string(body.size()) + "\r\n\r\n" + body);
  const auto head = form.response_head();
  EXPECT_EQ(head.rfind("HTTP/1.1 404 ", 0), 0u) << head;
  watcher.send_text("still alone");
  EXPECT_EQ(watcher.next_text(), "watcher: still alone");  // No "viahttp joined" before it.
}

// Two Origin fields: which one a check would read is a guess, so neither is trusted.
TEST_F(ChatWebHostile, TwoOriginsAreRefused) {
  auto server = start();
  const std::string own = "Origin: http://127.0.0.1:" + std::to_string(server.port) + "\r\n";
  for (const std::string& fields :
       {own + "Origin: http://evil.example\r\n", "Origin: http://evil.example\r\n" + own}) {
    WsPeer peer(server.port, WsPeer::upgrade_request(server.port, fields));
    const auto head = peer.response_head();
    EXPECT_EQ(head.rfind("HTTP/1.1 403 ", 0), 0u) << head;
  }
}

TEST_F(ChatWebHostile, LengthsPastAnyMessageAreRefusedBeforeTheirPayload) {
  auto server = start();
  const std::string mask = "\x01\x02\x03\x04";
  struct Lie {
    std::string header;
    std::uint16_t code;
  };
  const std::vector<Lie> lies = {
      // 127: a 64-bit length follows. 2^62 bytes: too big for a 4 KiB message.
      {std::string("\x81\xff\x40\x00\x00\x00\x00\x00\x00\x00", 10) + mask, 1009},
      // The 64-bit length's top bit must be 0 (RFC 6455 section 5.2).
      {std::string("\x81\xff\x80\x00\x00\x00\x00\x00\x00\x01", 10) + mask, 1002},
      // 16 MiB announced in a continuation of a fragmented message.
      {std::string("\x01\x81", 2) + mask + "a" +
           std::string("\x80\xff\x00\x00\x00\x00\x01\x00\x00\x00", 10) + mask,
       1009},
  };
  for (std::size_t i = 0; i < lies.size(); ++i) {
    const auto& lie = lies[i];
    WsPeer liar(server.port);
    liar.join(kPassword, "liar" + std::to_string(i));
    liar.send_raw(lie.header);  // No payload follows: the answer may not wait for it.
    EXPECT_EQ(liar.next_text(), "<close " + std::to_string(lie.code) + ">");
    EXPECT_TRUE(liar.closed_by_server());
  }
}

}  // namespace
}  // namespace soket::test
