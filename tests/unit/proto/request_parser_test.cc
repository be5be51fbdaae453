// parse_request_head against a table of named requests: each whole, each truncated prefix
// (need_more, or the verdict the whole gets), and each fed the way a server buffers (one
// more piece per call, at every split), always from an exact-size heap copy.
#include "proto/http/request_parser.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace soket::proto::http {
namespace {

using Status = RequestStatus;

RequestParse parse_copy(std::string_view data) {
  auto copy = std::make_unique<char[]>(data.size());
  std::copy(data.begin(), data.end(), copy.get());
  return parse_request_head({copy.get(), data.size()});
}

// What a parse says, as one line: the status and, when done, the head and consumed.
std::string describe(const RequestParse& p) {
  std::string out = std::to_string(static_cast<int>(p.status));
  if (p.status != Status::done) return out;
  out += " " + p.head.method + " " + p.head.target + " 1." + std::to_string(p.head.minor_version);
  for (const auto& [name, value] : p.head.fields) out += " [" + name + "=" + value + "]";
  return out + " @" + std::to_string(p.consumed);
}

struct Case {
  const char* name;
  std::string input;
  Status status;
  std::size_t fields = 0;  // When done.
};

const std::string kUpgrade =
    "GET /ws?room=a HTTP/1.1\r\nHost: chat.example:8080\r\nUpgrade: websocket\r\n"
    "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n\r\n";

std::string many_fields(std::size_t count) {
  std::string out = "GET / HTTP/1.1\r\n";
  for (std::size_t i = 0; i < count; ++i) out += "X-" + std::to_string(i) + ": v\r\n";
  return out + "\r\n";
}

const std::vector<Case>& cases() {
  static const std::vector<Case> table = {
      {"upgrade", kUpgrade, Status::done, 5},
      {"no fields", "GET / HTTP/1.1\r\n\r\n", Status::done, 0},
      {"http 1.0", "GET / HTTP/1.0\r\n\r\n", Status::done, 0},
      {"body follows", "GET / HTTP/1.1\r\nA: b\r\n\r\nbody", Status::done, 1},
      {"values trimmed", "GET / HTTP/1.1\r\nA: \t b c \t\r\nB:\r\n\r\n", Status::done, 2},
      {"obs-text in value", "GET / HTTP/1.1\r\nA: caf\xc3\xa9\r\n\r\n", Status::done, 1},
      {"64 fields", many_fields(64), Status::done, 64},
      {"65 fields", many_fields(65), Status::head_too_large},
      {"head too large", "GET / HTTP/1.1\r\nA: " + std::string(kMaxRequestHead, 'a'),
       Status::head_too_large},
      {"exactly the limit",
       "GET / HTTP/1.1\r\nA: " + std::string(kMaxRequestHead - 23, 'a') + "\r\n\r\n", Status::done,
       1},
      {"one past the limit",
       "GET / HTTP/1.1\r\nA: " + std::string(kMaxRequestHead - 22, 'a') + "\r\n\r\n",
       Status::head_too_large},
      {"http/2", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", Status::bad_version},
      {"http/3", "GET / HTTP/3.0\r\n\r\n", Status::bad_version},
      {"http/0.9", "GET / HTTP/0.9\r\n\r\n", Status::bad_request},
      {"lower-case version", "GET / http/1.1\r\n\r\n", Status::bad_request},
      {"two spaces", "GET  / HTTP/1.1\r\n\r\n", Status::bad_request},
      {"no version", "GET /\r\n\r\n", Status::bad_request},
      {"space in target", "GET /a b HTTP/1.1\r\n\r\n", Status::bad_request},
      {"byte past ascii in target", "GET /\xc3\xa9 HTTP/1.1\r\n\r\n", Status::bad_request},
      {"bad method", "G(T / HTTP/1.1\r\n\r\n", Status::bad_request},
      {"version 1.10", "GET / HTTP/1.10\r\n\r\n", Status::bad_request},
      {"empty first line", "\r\nGET / HTTP/1.1\r\n\r\n", Status::bad_request},
      {"bare lf", "GET / HTTP/1.1\nHost: a\n\n", Status::bad_request},
      {"bare cr", "GET / HTTP/1.1\r\nA: b\rc\r\n\r\n", Status::bad_request},
      {"bare cr in request line", "GET /\r HTTP/1.1\r\n\r\n", Status::bad_request},
      {"obs-fold", "GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n", Status::bad_request},
      {"space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", Status::bad_request},
      {"no colon", "GET / HTTP/1.1\r\nHost a\r\n\r\n", Status::bad_request},
      {"empty name", "GET / HTTP/1.1\r\n: a\r\n\r\n", Status::bad_request},
      {"control byte in value", std::string("GET / HTTP/1.1\r\nA: b\0c\r\n\r\n", 27),
       Status::bad_request},
      {"del in value", "GET / HTTP/1.1\r\nA: b\x7f\r\n\r\n", Status::bad_request},
      {"not http at all", "USERNAME ani\r\n", Status::bad_request},
  };
  return table;
}

TEST(RequestParser, NamedCases) {
  for (const auto& c : cases()) {
    const auto parse = parse_copy(c.input);
    EXPECT_EQ(parse.status, c.status) << c.name;
    if (c.status != Status::done) continue;
    EXPECT_EQ(parse.head.fields.size(), c.fields) << c.name;
    EXPECT_LE(parse.consumed, c.input.size());
    EXPECT_EQ(c.input.substr(parse.consumed - 4, 4), "\r\n\r\n") << c.name;
  }
}

// A prefix gets need_more or the whole's own verdict, never another; a prefix of a good head
// that stops before its end is need_more.
TEST(RequestParser, EveryTruncatedPrefix) {
  for (const auto& c : cases()) {
    const auto whole = describe(parse_copy(c.input));
    const auto end = parse_copy(c.input).consumed;
    for (std::size_t length = 0; length < c.input.size(); ++length) {
      if (c.input.size() > 2000 && length % 257 != 0) continue;
      const auto got = parse_copy(std::string_view(c.input).substr(0, length));
      if (c.status == Status::done && length < end) {
        ASSERT_EQ(got.status, Status::need_more) << c.name << " at " << length;
      } else if (got.status != Status::need_more) {
        ASSERT_EQ(describe(got), whole) << c.name << " at " << length;
      }
    }
  }
}

// As a server does: buffer what comes, parse again each time, stop at the first verdict.
std::string fed_in_pieces(std::string_view input, std::vector<std::size_t> cuts) {
  cuts.push_back(input.size());
  std::string got;
  for (const std::size_t cut : cuts) {
    const auto parse = parse_copy(input.substr(0, cut));
    got = describe(parse);
    if (parse.status != Status::need_more) break;
  }
  return got;
}

TEST(RequestParser, SameResultAtEverySplit) {
  for (const auto& c : cases()) {
    if (c.input.size() > 2000) continue;
    const auto whole = describe(parse_copy(c.input));
    for (std::size_t a = 0; a <= c.input.size(); ++a) {
      ASSERT_EQ(fed_in_pieces(c.input, {a}), whole) << c.name << " split " << a;
      // Pairs of splits for the short ones (the parser keeps no state, so one is telling).
      for (std::size_t b = a; c.input.size() <= 64 && b <= c.input.size(); ++b) {
        ASSERT_EQ(fed_in_pieces(c.input, {a, b}), whole) << c.name << " split " << a << "," << b;
      }
    }
  }
}

TEST(RequestParser, TheHeadItself) {
  const auto parse = parse_copy(kUpgrade + "leftover");
  ASSERT_EQ(parse.status, Status::done);
  EXPECT_EQ(parse.consumed, kUpgrade.size());
  EXPECT_EQ(parse.head.method, "GET");
  EXPECT_EQ(parse.head.target, "/ws?room=a");
  EXPECT_EQ(parse.head.minor_version, 1);
  EXPECT_EQ(parse.head.fields[0].first, "Host");
  EXPECT_EQ(parse.head.fields[0].second, "chat.example:8080");
  EXPECT_EQ(parse.head.field("HOST"), "chat.example:8080");
  EXPECT_EQ(parse.head.field("Origin"), std::nullopt);
  EXPECT_TRUE(parse.head.field_has_token("connection", "upgrade"));
  EXPECT_FALSE(parse.head.field_has_token("Connection", "keep-alive"));
}

TEST(RequestParser, FieldTokens) {
  const auto parse = parse_copy(
      "GET / HTTP/1.1\r\nConnection: keep-alive , Upgrade\r\nConnection: close\r\n"
      "Upgrade: websocketx\r\n\r\n");
  ASSERT_EQ(parse.status, Status::done);
  EXPECT_TRUE(parse.head.field_has_token("Connection", "Upgrade"));
  EXPECT_TRUE(parse.head.field_has_token("Connection", "close"));  // From the second line.
  EXPECT_TRUE(parse.head.field_has_token("Connection", "KEEP-ALIVE"));
  EXPECT_FALSE(parse.head.field_has_token("Upgrade", "websocket"));
  EXPECT_EQ(parse.head.field("connection"), "keep-alive , Upgrade");
}

TEST(RequestParser, LooksLikeARequestLine) {
  EXPECT_TRUE(looks_like_request_line("GET / HTTP/1.1"));
  EXPECT_TRUE(looks_like_request_line("OPTIONS * HTTP/1.0"));
  EXPECT_TRUE(looks_like_request_line("PRI * HTTP/2.0"));
  EXPECT_FALSE(looks_like_request_line("USERNAME ani"));
  EXPECT_FALSE(looks_like_request_line("PASSWORD pw"));
  EXPECT_FALSE(looks_like_request_line("GET /"));
  EXPECT_FALSE(looks_like_request_line("GET / HTTP/1.1 extra"));
  EXPECT_FALSE(looks_like_request_line("say GET / HTTP/1.1"));
  EXPECT_FALSE(looks_like_request_line(""));
  // A target an origin server is asked for, or it is a chat line: a password may end so.
  EXPECT_FALSE(looks_like_request_line("PASSWORD sesame HTTP/1.1"));
  EXPECT_FALSE(looks_like_request_line("CONNECT example.test:443 HTTP/1.1"));
  EXPECT_FALSE(looks_like_request_line("GET http://example.test/ HTTP/1.1"));
}

// The start of a first line whose end has not come: a request line may still follow.
TEST(RequestParser, WhatCouldStillBecomeARequestLine) {
  EXPECT_TRUE(could_start_request_line("POST /" + std::string(5000, 'a')));
  EXPECT_TRUE(could_start_request_line("GET /ws "));
  EXPECT_TRUE(could_start_request_line("GET /ws HTT"));
  EXPECT_TRUE(could_start_request_line("GET /ws HTTP/1.1\r"));
  EXPECT_TRUE(could_start_request_line("OPTIONS *"));
  EXPECT_FALSE(could_start_request_line("GET /ws HTTX"));
  EXPECT_FALSE(could_start_request_line("PASSWORD " + std::string(5000, 'a')));
  EXPECT_FALSE(could_start_request_line("PASSWORD /x y"));
  EXPECT_FALSE(could_start_request_line("GET"));
  EXPECT_FALSE(could_start_request_line("G@T /"));
  EXPECT_FALSE(could_start_request_line("GET /a\tb"));
  // A byte past 0x7F ends it as the whole line's rule does: a cut must not change the verdict.
  EXPECT_FALSE(could_start_request_line("POST /caf\xC3\xA9" + std::string(5000, 'a')));
  EXPECT_FALSE(looks_like_request_line("GET /caf\xC3\xA9 HTTP/1.1"));
  EXPECT_FALSE(could_start_request_line(""));
  // Whatever could start one, once ended, is judged by looks_like_request_line.
  for (const std::string whole : {"GET / HTTP/1.1", "OPTIONS * HTTP/1.0"}) {
    for (std::size_t cut = 1; cut <= whole.size(); ++cut) {
      const auto start = whole.substr(0, cut);
      EXPECT_EQ(could_start_request_line(start), start.find(' ') != std::string::npos) << start;
    }
  }
}

}  // namespace
}  // namespace soket::proto::http
