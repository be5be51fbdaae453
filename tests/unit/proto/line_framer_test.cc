#include "proto/line/line_framer.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "feed_in_pieces.h"

namespace soket::proto::line {
namespace {

using soket::test::feed_in_pieces;
using soket::test::Step;

using Kind = LineFramer::Kind;

// Feeds `stream` in pieces cut at `cuts`, as a connection would, and records what comes out:
// each line as itself, each too-long line as "<too long>".
std::vector<std::string> frame(std::string_view stream, std::vector<std::size_t> cuts,
                               std::size_t max_line) {
  LineFramer framer(max_line);
  std::vector<std::string> out;
  feed_in_pieces(stream, std::move(cuts), [&](std::string_view buffered) {
    const auto event = framer.next(buffered);
    if (event.kind == Kind::line) out.emplace_back(event.line);
    if (event.kind == Kind::too_long) out.emplace_back("<too long>");
    return Step{event.consumed, event.kind == Kind::need_more ? Step::more_input : Step::again};
  });
  return out;
}

struct Case {
  const char* name;
  std::string stream;
  std::vector<std::string> lines;
};

const std::vector<Case>& cases() {
  static const std::vector<Case> table = {
      {"one line", "hello\n", {"hello"}},
      {"crlf", "hello\r\nworld\r\n", {"hello", "world"}},
      {"empty lines", "\n\r\n\n", {"", "", ""}},
      {"no end yet", "partial", {}},
      {"nul is a byte", std::string("a\0b\n", 4), {std::string("a\0b", 3)}},
      {"lone cr kept", "a\rb\n", {"a\rb"}},
      {"exactly max", std::string(8, 'x') + "\n", {std::string(8, 'x')}},
      {"exactly max with cr", std::string(8, 'x') + "\r\n", {std::string(8, 'x')}},
      {"one past max", std::string(9, 'x') + "\nok\n", {"<too long>", "ok"}},
      {"far past max", std::string(100, 'y') + "\nnext\n", {"<too long>", "next"}},
      {"too long then crlf", std::string(20, 'z') + "\r\nafter\r\n", {"<too long>", "after"}},
  };
  return table;
}

TEST(LineFramer, NamedCases) {
  for (const auto& c : cases()) {
    EXPECT_EQ(frame(c.stream, {}, 8), c.lines) << c.name;
  }
}

TEST(LineFramer, EveryTruncatedPrefixYieldsOnlyCompleteLines) {
  for (const auto& c : cases()) {
    for (std::size_t length = 0; length <= c.stream.size(); ++length) {
      const auto got = frame(c.stream.substr(0, length), {}, 8);
      const auto all = frame(c.stream, {}, 8);
      ASSERT_LE(got.size(), all.size()) << c.name << " at " << length;
      for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], all[i]) << c.name;
    }
  }
}

TEST(LineFramer, SameLinesWhateverTheSplit) {
  for (const auto& c : cases()) {
    for (std::size_t a = 0; a <= c.stream.size(); ++a) {
      for (std::size_t b = a; b <= c.stream.size(); ++b) {
        EXPECT_EQ(frame(c.stream, {a, b}, 8), c.lines) << c.name << " split " << a << "," << b;
      }
    }
  }
}

TEST(LineFramer, TooLongIsReportedBeforeTheLineEnds) {
  LineFramer framer(4);
  auto event = framer.next("abcdefgh");  // No LF yet, but already past 4 + CR + LF.
  EXPECT_EQ(event.kind, Kind::too_long);
  EXPECT_EQ(event.consumed, 8u);
  event = framer.next("ijk");
  EXPECT_EQ(event.kind, Kind::need_more);
  EXPECT_EQ(event.consumed, 3u);
  event = framer.next("l\nok\n");
  EXPECT_EQ(event.kind, Kind::line);
  EXPECT_EQ(event.line, "ok");
  EXPECT_EQ(event.consumed, 5u);
}

}  // namespace
}  // namespace soket::proto::line
