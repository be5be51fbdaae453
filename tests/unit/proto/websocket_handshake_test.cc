// The opening handshake (RFC 6455 section 4.2) and the frames a server writes (section 5.2),
// the latter checked byte by byte against the RFC's examples and read back by MessageReader
// after a test-side masking.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "proto/websocket/close_codes.h"
#include "proto/websocket/frame_writer.h"
#include "proto/websocket/handshake.h"
#include "proto/websocket/message_reader.h"
#include "websocket_frames.h"

namespace soket::proto::websocket {
namespace {

http::RequestHead upgrade_request(std::vector<std::pair<std::string, std::string>> extra = {}) {
  http::RequestHead head;
  head.method = "GET";
  head.target = "/ws";
  head.fields = {{"Host", "chat.example:8080"},
                 {"Upgrade", "websocket"},
                 {"Connection", "Upgrade"},
                 {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                 {"Sec-WebSocket-Version", "13"}};
  for (auto& field : extra) head.fields.push_back(std::move(field));
  return head;
}

// The request with the first field named `name` given `value` (or removed when empty).
http::RequestHead with_field(std::string name, std::string value) {
  auto head = upgrade_request();
  for (auto it = head.fields.begin(); it != head.fields.end(); ++it) {
    if (it->first != name) continue;
    if (value.empty()) {
      head.fields.erase(it);
    } else {
      it->second = value;
    }
    return head;
  }
  head.fields.emplace_back(std::move(name), std::move(value));
  return head;
}

bool has_line(const std::string& response, const std::string& line) {
  return response.find("\r\n" + line + "\r\n") != std::string::npos;
}

// RFC 6455 section 1.3's example (and Python's hashlib agrees).
TEST(WebSocketHandshake, AcceptKeyOfTheRfcExample) {
  EXPECT_EQ(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocketHandshake, UpgradeAnswers101) {
  const auto answer = answer_upgrade(upgrade_request(), {});
  EXPECT_EQ(answer.status, 101);
  EXPECT_EQ(answer.response.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0u);
  EXPECT_TRUE(has_line(answer.response, "Upgrade: websocket"));
  EXPECT_TRUE(has_line(answer.response, "Connection: Upgrade"));
  EXPECT_TRUE(has_line(answer.response, "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
  EXPECT_EQ(answer.response.substr(answer.response.size() - 4), "\r\n\r\n");
}

struct UpgradeCase {
  const char* name;
  http::RequestHead request;
  int status;
};

std::vector<UpgradeCase> upgrade_cases() {
  auto post = upgrade_request();
  post.method = "POST";
  auto lower_get = upgrade_request();
  lower_get.method = "get";  // Methods are case-sensitive (RFC 9110 section 9.1).
  auto http10 = upgrade_request();
  http10.minor_version = 0;
  auto two_keys = upgrade_request({{"Sec-WebSocket-Key", "AAAAAAAAAAAAAAAAAAAAAA=="}});
  auto two_hosts = upgrade_request({{"Host", "evil.example"}});
  return {
      {"Plain", upgrade_request(), 101},
      {"TokensInLists", with_field("Connection", "keep-alive, Upgrade"), 101},
      {"CaseOfTokens", with_field("Upgrade", "WebSocket"), 101},
      {"UpgradeList", with_field("Upgrade", "h2c, websocket"), 101},
      {"Post", post, 405},
      {"LowerCaseGet", lower_get, 405},
      {"Http10", http10, 400},
      {"NoHost", with_field("Host", ""), 400},
      {"TwoHosts", two_hosts, 400},
      {"NoUpgrade", with_field("Upgrade", ""), 400},
      {"UpgradeToSomethingElse", with_field("Upgrade", "h2c"), 400},
      {"NoConnection", with_field("Connection", ""), 400},
      {"ConnectionKeepAliveOnly", with_field("Connection", "keep-alive"), 400},
      {"NoKey", with_field("Sec-WebSocket-Key", ""), 400},
      {"KeyTooShort", with_field("Sec-WebSocket-Key", "dGhlIHNhbXBsZQ=="), 400},
      {"KeyNotBase64", with_field("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25j*Q=="), 400},
      {"KeyWithoutPadding", with_field("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQAA"), 400},
      {"TwoKeys", two_keys, 400},
      {"Version8", with_field("Sec-WebSocket-Version", "8"), 426},
      {"Version130", with_field("Sec-WebSocket-Version", "130"), 426},
      {"NoVersion", with_field("Sec-WebSocket-Version", ""), 426},
      {"OwnOrigin", with_field("Origin", "http://chat.example:8080"), 101},
      {"OwnOriginOtherCase", with_field("Origin", "HTTP://Chat.Example:8080"), 101},
      {"OtherPort", with_field("Origin", "http://chat.example:9090"), 403},
      {"OtherSite", with_field("Origin", "http://evil.example"), 403},
      {"OtherScheme", with_field("Origin", "https://chat.example:8080"), 403},
      {"NullOrigin", with_field("Origin", "null"), 403},
      {"AlsoAllowed", with_field("Origin", "https://Friends.Example"), 101},
  };
}

TEST(WebSocketHandshake, UpgradeCases) {
  OriginPolicy policy;
  policy.also_allowed = {"https://friends.example"};
  for (const auto& c : upgrade_cases()) {
    const auto answer = answer_upgrade(c.request, policy);
    EXPECT_EQ(answer.status, c.status) << c.name << ": " << answer.reason;
    EXPECT_EQ(answer.response.rfind("HTTP/1.1 " + std::to_string(c.status) + " ", 0), 0u) << c.name;
    if (c.status == 101) {
      EXPECT_TRUE(answer.reason.empty()) << c.name;
      continue;
    }
    // An error: a one-line plain-text body of the length said, and the connection closes.
    EXPECT_FALSE(answer.reason.empty()) << c.name;
    const auto end = answer.response.find("\r\n\r\n");
    ASSERT_NE(end, std::string::npos) << c.name;
    const std::string body = answer.response.substr(end + 4);
    EXPECT_TRUE(has_line(answer.response, "Content-Length: " + std::to_string(body.size())));
    EXPECT_TRUE(has_line(answer.response, "Content-Type: text/plain; charset=utf-8"));
    EXPECT_TRUE(has_line(answer.response, "Connection: close"));
    EXPECT_EQ(body.find('\n'), body.size() - 1) << c.name;
    EXPECT_EQ(has_line(answer.response, "Allow: GET"), c.status == 405) << c.name;
    EXPECT_EQ(has_line(answer.response, "Sec-WebSocket-Version: 13"), c.status == 426) << c.name;
  }
}

TEST(WebSocketHandshake, HttpsPagesHaveHttpsOrigins) {
  OriginPolicy policy;
  policy.scheme = "https";
  EXPECT_EQ(answer_upgrade(with_field("Origin", "https://chat.example:8080"), policy).status, 101);
  EXPECT_EQ(answer_upgrade(with_field("Origin", "http://chat.example:8080"), policy).status, 403);
}

TEST(WebSocketCloseCodes, Table) {
  for (const std::uint16_t code : std::initializer_list<std::uint16_t>{
           1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999}) {
    EXPECT_TRUE(is_valid_close_code(code)) << code;
  }
  for (const std::uint16_t code : std::initializer_list<std::uint16_t>{
           0, 999, 1004, 1005, 1006, 1012, 1015, 1016, 1100, 2000, 2999, 5000, 65535}) {
    EXPECT_FALSE(is_valid_close_code(code)) << code;
  }
}

// RFC 6455 section 5.7's unmasked examples, and the two longer length forms.
TEST(WebSocketFrameWriter, TheRfcExampleBytes) {
  EXPECT_EQ(text_frame("Hello"), "\x81\x05Hello");
  EXPECT_EQ(pong_frame("Hello"), "\x8a\x05Hello");
  std::string out;
  append_frame(out, Opcode::binary, std::string(256, 'b'));
  EXPECT_EQ(out.substr(0, 4), std::string("\x82\x7e\x01\x00", 4));
  EXPECT_EQ(out.size(), 4u + 256);
  out.clear();
  append_frame(out, Opcode::binary, std::string(65536, 'b'));
  EXPECT_EQ(out.substr(0, 10), std::string("\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10));
  EXPECT_EQ(out.size(), 10u + 65536);
}

TEST(WebSocketFrameWriter, LengthFormEdges) {
  for (const auto& [size, header] : std::vector<std::pair<std::size_t, std::size_t>>{
           {0, 2}, {125, 2}, {126, 4}, {65535, 4}, {65536, 10}}) {
    EXPECT_EQ(text_frame(std::string(size, 't')).size(), size + header) << size;
  }
}

TEST(WebSocketFrameWriter, CloseFrames) {
  EXPECT_EQ(close_frame(1000), std::string("\x88\x02\x03\xe8", 4));
  EXPECT_EQ(close_frame(1001, "bye"), std::string("\x88\x05\x03\xe9"
                                                  "bye",
                                                  7));
  EXPECT_EQ(close_frame(kCloseNoStatus, "ignored"), std::string("\x88\x00", 2));
  EXPECT_EQ(close_frame(1000, std::string(200, 'r')).size(), 2u + 125);
  // 61 two-byte characters are 122 bytes; the 62nd would pass 123 and is left out whole.
  std::string kappas;
  for (int i = 0; i < 70; ++i) kappas += "\xce\xba";
  const std::string frame = close_frame(1000, kappas);
  EXPECT_EQ(frame.size(), 2u + 2 + 122);
  EXPECT_EQ(frame.substr(4), kappas.substr(0, 122));
}

TEST(WebSocketFrameWriter, PongPayloadIsCutTo125) {
  EXPECT_EQ(pong_frame(std::string(200, 'p')).size(), 2u + 125);
}

// Write, mask on the test side, read back: the reader takes what the writer writes.
TEST(WebSocketFrameWriter, RoundTripsThroughTheReader) {
  using Kind = MessageReader::Kind;
  for (const std::size_t size : {0u, 1u, 125u, 126u, 127u, 65535u, 65536u, 100000u}) {
    const std::string payload(size, 'w');
    MessageReader reader(1 << 20);
    const std::string wire = test::mask_server_frame(text_frame(payload));
    const auto event = reader.next(wire);
    ASSERT_EQ(event.kind, Kind::text) << size;
    EXPECT_EQ(event.payload, payload);
    EXPECT_EQ(event.consumed, wire.size());
  }
  MessageReader reader(64);
  auto event = reader.next(test::mask_server_frame(close_frame(4000, "\xce\xba")));
  ASSERT_EQ(event.kind, Kind::close);
  EXPECT_EQ(event.code, 4000);
  EXPECT_EQ(event.payload, "\xce\xba");
  event = reader.next(test::mask_server_frame(pong_frame("pp")));
  EXPECT_EQ(event.kind, Kind::pong);
  EXPECT_EQ(event.payload, "pp");
}

}  // namespace
}  // namespace soket::proto::websocket
