// The chat server's WebSocket against a table of cases in the manner of the Autobahn test
// suite's sections 1-7 and 9 (framing, pings, reserved bits, opcodes, fragmentation, UTF-8,
// closing, limits). Each case joins a member over a raw WebSocket (support/ws_peer.h),
// sends its frames, and reads what the server answers: the room's relay of a text ("m: ..."
// is the echo of a chat room), pongs, or a Close with the code RFC 6455 asks for, then the
// end of the connection. After each case the server still serves a newcomer.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "integration/chat_peer.h"
#include "support/child_process.h"
#include "support/test_backend.h"
#include "support/ws_peer.h"

namespace soket::test {
namespace {

struct Case {
  std::string name;
  std::vector<ClientFrame> frames;
  std::vector<std::string> expected;  // As WsPeer::next_text gives them, in order.
};

ClientFrame text(std::string payload, bool fin = true) {
  return {0x1, std::move(payload), fin};
}
ClientFrame more(std::string payload, bool fin = true) {
  return {0x0, std::move(payload), fin};
}
ClientFrame ping(std::string payload) {
  return {0x9, std::move(payload)};
}
ClientFrame close_with(std::string payload) {
  return {0x8, std::move(payload)};
}
std::string code(std::uint16_t value) {
  return {static_cast<char>(value >> 8), static_cast<char>(value & 0xFF)};
}
std::string relayed(const std::string& text) {
  return "m: " + text;
}
std::vector<std::string> closes(std::uint16_t value) {
  return {"<close " + std::to_string(value) + ">", "<closed>"};
}
ClientFrame with_rsv(ClientFrame frame, std::uint8_t rsv) {
  frame.rsv = rsv;
  return frame;
}

std::vector<Case> cases() {
  std::vector<Case> all = {
      // Section 1: payload lengths in each of the three length forms, up to the line limit.
      {"Text1Byte", {text("a")}, {relayed("a")}},
      {"Text125Bytes", {text(std::string(125, 'b'))}, {relayed(std::string(125, 'b'))}},
      {"Text126Bytes", {text(std::string(126, 'c'))}, {relayed(std::string(126, 'c'))}},
      {"Text127Bytes", {text(std::string(127, 'd'))}, {relayed(std::string(127, 'd'))}},
      {"Text4096BytesIsTheLimit",
       {text(std::string(4096, 'e'))},
       {relayed(std::string(4096, 'e'))}},
      // Section 2: pings.
      {"EmptyPing", {ping("")}, {"<pong >"}},
      {"Ping125Bytes", {ping(std::string(125, 'p'))}, {"<pong " + std::string(125, 'p') + ">"}},
      {"Ping126BytesIsRefused", {ping(std::string(126, 'p'))}, closes(1002)},
      {"BinaryPingPayload",
       {ping(std::string("\x00\xff\xfe", 3))},
       {"<pong " + std::string("\x00\xff\xfe", 3) + ">"}},
      {"UnaskedPongIsIgnored", {{0xA, "hm"}, text("after")}, {relayed("after")}},
      {"TenPingsTenPongs", std::vector<ClientFrame>(10, ping("x")),
       std::vector<std::string>(10, "<pong x>")},
      // Section 3: reserved bits, with no extension agreed.
      {"Rsv1OnText", {with_rsv(text("r"), 4)}, closes(1002)},
      {"Rsv2OnText", {with_rsv(text("r"), 2)}, closes(1002)},
      {"Rsv3OnText", {with_rsv(text("r"), 1)}, closes(1002)},
      {"AllRsvOnText", {with_rsv(text("r"), 7)}, closes(1002)},
      {"RsvOnPing", {with_rsv(ping("r"), 4)}, closes(1002)},
      {"RsvOnClose", {with_rsv(close_with(code(1000)), 2)}, closes(1002)},
      {"TextThenRsvFrame",
       {text("ok"), with_rsv(text("r"), 1)},
       {relayed("ok"), "<close 1002>", "<closed>"}},
      // Section 5: fragmentation.
      {"TwoFragments", {text("frag", false), more("ment")}, {relayed("fragment")}},
      {"PingBetweenFragments",
       {text("a", false), ping("in"), more("b", false), more("c")},
       {"<pong in>", relayed("abc")}},
      {"EmptyFragments", {text("", false), more("x", false), more("")}, {relayed("x")}},
      {"ContinuationWithoutStart", {more("lost")}, closes(1002)},
      {"UnfinishedContinuationWithoutStart", {more("lost", false)}, closes(1002)},
      {"FragmentedPing", {{0x9, "a", false}}, closes(1002)},
      {"NewTextInsideFragmentedText", {text("a", false), text("b")}, closes(1002)},
      {"FragmentedClose", {{0x8, code(1000), false}}, closes(1002)},
      // Section 6: UTF-8 in text messages, whole and across fragments.
      {"ValidUtf8",
       {text("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5")},
       {relayed("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5")}},
      {"CodePointSplitAcrossFragments", {text("\xce", false), more("\xba")}, {relayed("\xce\xba")}},
      {"FourByteCodePointInFourFragments",
       {text("\xf0", false), more("\x9f", false), more("\x98", false), more("\x80")},
       {relayed("\xf0\x9f\x98\x80")}},
      {"InvalidByte", {text("\xff")}, closes(1007)},
      {"OverlongSlash", {text("\xc0\xaf")}, closes(1007)},
      {"Surrogate", {text("\xed\xa0\x80")}, closes(1007)},
      {"PastU10FFFF", {text("\xf4\x90\x80\x80")}, closes(1007)},
      {"TruncatedAtTheEnd", {text("ok\xce")}, closes(1007)},
      {"TruncatedAcrossTheLastFragment", {text("ok\xe1\xbd", false), more("")}, closes(1007)},
      // "Fail fast": the bad first fragment is refused before the message ends.
      {"InvalidFirstFragmentFailsFast", {text("\xce\xba\xff", false)}, closes(1007)},
      // Section 7: the closing handshake.
      {"CloseWithoutCode", {close_with("")}, closes(1000)},
      {"CloseNormalWithReason", {close_with(code(1000) + "bye")}, closes(1000)},
      {"CloseGoingAway", {close_with(code(1001))}, closes(1001)},
      {"CloseOneByte", {close_with("\x03")}, closes(1002)},
      {"CloseReasonNotUtf8", {close_with(code(1000) + "\xff")}, closes(1007)},
      {"CloseReason123Bytes", {close_with(code(1000) + std::string(123, 'z'))}, closes(1000)},
      {"CloseThenTextIsNotRelayed", {close_with(code(1000)), text("too late")}, closes(1000)},
      // Section 9 (limits): the same 4 KiB as a chat line; binary has no place in the room.
      {"Text4097BytesIsTooBig", {text(std::string(4097, 'f'))}, closes(1009)},
      {"FragmentsPastTheLimit",
       {text(std::string(4000, 'g'), false), more(std::string(97, 'g'))},
       closes(1009)},
      {"BinaryMessage", {{0x2, "bin"}}, closes(1003)},
      {"UnmaskedText", {{0x1, "bare", true, 0, false}}, closes(1002)},
  };
  for (const int opcode : {3, 4, 5, 6, 7, 11, 12, 13, 14, 15}) {
    all.push_back({"ReservedOpcode" + std::to_string(opcode),
                   {{static_cast<std::uint8_t>(opcode), "x"}},
                   closes(1002)});
  }
  for (const int value :
       {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999}) {
    const auto wire = static_cast<std::uint16_t>(value);
    all.push_back(
        {"ValidCloseCode" + std::to_string(value), {close_with(code(wire))}, closes(wire)});
  }
  for (const int value : {0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999, 5000, 65535}) {
    all.push_back({"InvalidCloseCode" + std::to_string(value),
                   {close_with(code(static_cast<std::uint16_t>(value)))},
                   closes(1002)});
  }
  return all;
}

class WebSocketConformance : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    password_file_ = "/tmp/soket-ws-conformance-" + std::to_string(::getpid()) + ".txt";
    std::ofstream(password_file_) << kPassword << "\n";
    server_ = start_soket_server(
        {"chat", "server", "-p", "0", "--tcp", "--password-file", password_file_});
  }
  void TearDown() override { ::unlink(password_file_.c_str()); }
  std::string password_file_;
  StartedServer server_;
};

TEST_P(WebSocketConformance, Case) {
  const Case& c = GetParam();
  {
    WsPeer member(server_.port);
    member.join(kPassword, "m");
    for (const auto& frame : c.frames) member.send(frame);
    for (const auto& wanted : c.expected) ASSERT_EQ(member.next_text(), wanted);
    if (c.expected.back() != "<closed>") {
      member.send(close_with(code(1000)));
      EXPECT_EQ(member.next_text(), "<close 1000>");
    }
  }
  // The server still serves: a newcomer joins.
  WsPeer newcomer(server_.port);
  newcomer.send_text(std::string("PASSWORD ") + kPassword);
  EXPECT_EQ(newcomer.next_text(), "PASSWORD OK");
  newcomer.send_text("USERNAME n");
  EXPECT_EQ(newcomer.next_text(), "USERNAME OK");
}

INSTANTIATE_TEST_SUITE_P(Autobahn, WebSocketConformance, ::testing::ValuesIn(cases()),
                         [](const auto& test) { return test.param.name; });

}  // namespace
}  // namespace soket::test
