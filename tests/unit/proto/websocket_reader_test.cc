// MessageReader against client frames from the test-side builder (websocket_frames.h), in
// the manner of the Autobahn suite's sections 1-7 and 9 at the parser level. Every case is
// read whole, at every split point (or a sample for the long ones), and as every truncated
// prefix, each call from an exact-size heap copy so that ASan sees any read past the end.
#include "proto/websocket/message_reader.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "feed_in_pieces.h"
#include "proto/websocket/close_codes.h"
#include "websocket_frames.h"

namespace soket::proto::websocket {
namespace {

using soket::test::feed_in_pieces;
using soket::test::Step;

using namespace test;  // NOLINT: the frame builder's words make the tables readable.
using Kind = MessageReader::Kind;

constexpr std::size_t kMax = 70000;  // Past 65536, so that each length form fits.

std::string describe(const MessageReader::Event& e) {
  switch (e.kind) {
    case Kind::text:
      return "text:" + std::string(e.payload);
    case Kind::binary:
      return "binary:" + std::string(e.payload);
    case Kind::ping:
      return "ping:" + std::string(e.payload);
    case Kind::pong:
      return "pong:" + std::string(e.payload);
    case Kind::close:
      return "close:" + std::to_string(e.code) + ":" + std::string(e.payload);
    case Kind::error:
      return "error:" + std::to_string(e.code);
    case Kind::need_more:
      break;
  }
  return "?";
}

// Feeds `stream` in pieces cut at `cuts`, as a connection would, and records the events; an
// error ends the reading.
std::vector<std::string> read_all(std::string_view stream, std::vector<std::size_t> cuts,
                                  std::size_t max_message = kMax) {
  MessageReader reader(max_message);
  std::vector<std::string> out;
  feed_in_pieces(stream, std::move(cuts), [&](std::string_view buffered) {
    const auto event = reader.next(buffered);
    EXPECT_LE(event.consumed, buffered.size());
    if (event.kind != Kind::need_more) out.push_back(describe(event));
    if (event.kind == Kind::error) return Step{0, Step::stop};
    return Step{event.consumed, event.kind == Kind::need_more ? Step::more_input : Step::again};
  });
  return out;
}

struct Case {
  std::string name;
  std::string stream;
  std::vector<std::string> events;
};

std::vector<Case> framing_cases() {
  std::vector<Case> all = {
      // Section 1: the three length forms at their edges.
      {"Text0", build({text("")}), {"text:"}},
      {"Binary0", build({binary("")}), {"binary:"}},
      {"Text125", build({text(std::string(125, 'a'))}), {"text:" + std::string(125, 'a')}},
      {"Text126", build({text(std::string(126, 'b'))}), {"text:" + std::string(126, 'b')}},
      {"Text127", build({text(std::string(127, 'c'))}), {"text:" + std::string(127, 'c')}},
      {"Binary65535",
       build({binary(std::string(65535, 'd'))}),
       {"binary:" + std::string(65535, 'd')}},
      {"Text65536", build({text(std::string(65536, 'e'))}), {"text:" + std::string(65536, 'e')}},
      {"LongerLengthFormIsRead", build({with_form(text("hi"), LengthForm::u16)}), {"text:hi"}},
      {"U64FormIsRead", build({with_form(binary("x"), LengthForm::u64)}), {"binary:x"}},
      {"TwoMessages", build({text("one"), binary("two")}), {"text:one", "binary:two"}},
      // Section 2: pings and pongs.
      {"EmptyPing", build({ping("")}), {"ping:"}},
      {"Ping125", build({ping(std::string(125, 'p'))}), {"ping:" + std::string(125, 'p')}},
      {"Ping126IsRefused", build({ping(std::string(126, 'p'))}), {"error:1002"}},
      {"BinaryPingPayload",
       build({ping(std::string("\x00\xff\xfe", 3))}),
       {"ping:" + std::string("\x00\xff\xfe", 3)}},
      {"UnaskedPong", build({pong("hm"), text("after")}), {"pong:hm", "text:after"}},
      {"PingsInARow", build({ping("1"), ping("2"), ping("3")}), {"ping:1", "ping:2", "ping:3"}},
      {"UnmaskedText", build({unmasked(text("bare"))}), {"error:1002"}},
      // Section 3: reserved bits, with no extension agreed.
      {"Rsv1", build({with_rsv(text("r"), 4)}), {"error:1002"}},
      {"Rsv2", build({with_rsv(text("r"), 2)}), {"error:1002"}},
      {"Rsv3", build({with_rsv(text("r"), 1)}), {"error:1002"}},
      {"AllRsv", build({with_rsv(binary("r"), 7)}), {"error:1002"}},
      {"RsvOnPing", build({with_rsv(ping("r"), 4)}), {"error:1002"}},
      {"TextThenRsv",
       build({text("ok"), with_rsv(text("r"), 1), text("never")}),
       {"text:ok", "error:1002"}},
      // Section 5: fragmentation.
      {"TwoFragments", build({text("frag", false), more("ment")}), {"text:fragment"}},
      {"BinaryFragments", build({binary("a", false), more("b")}), {"binary:ab"}},
      {"PingBetweenFragments",
       build({text("a", false), ping("in"), more("b", false), more("c")}),
       {"ping:in", "text:abc"}},
      {"PongBetweenFragments",
       build({text("a", false), pong("po"), more("b")}),
       {"pong:po", "text:ab"}},
      {"EmptyFragments", build({text("", false), more("x", false), more("")}), {"text:x"}},
      {"ContinuationWithoutStart", build({more("lost")}), {"error:1002"}},
      {"UnfinishedContinuationWithoutStart", build({more("lost", false)}), {"error:1002"}},
      {"ContinuationAfterAWholeMessage", build({text("a"), more("b")}), {"text:a", "error:1002"}},
      {"FragmentedPing", build({frame(0x9, "a", false)}), {"error:1002"}},
      {"FragmentedClose", build({frame(0x8, code(1000), false)}), {"error:1002"}},
      {"NewTextInsideFragmentedText", build({text("a", false), text("b")}), {"error:1002"}},
      {"NewBinaryInsideFragmentedText", build({text("a", false), binary("b")}), {"error:1002"}},
      {"CloseBetweenFragments", build({text("a", false), close_raw(code(1000))}), {"close:1000:"}},
  };
  // Section 4: reserved opcodes, with and without a payload.
  for (const std::uint8_t opcode :
       std::initializer_list<std::uint8_t>{3, 4, 5, 6, 7, 11, 12, 13, 14, 15}) {
    all.push_back({"Opcode" + std::to_string(opcode), build({frame(opcode, "")}), {"error:1002"}});
    all.push_back({"Opcode" + std::to_string(opcode) + "AfterText",
                   build({text("t"), frame(opcode, "xyz")}),
                   {"text:t", "error:1002"}});
  }
  return all;
}

std::vector<Case> utf8_cases() {
  std::vector<Case> all = {
      // Section 6: UTF-8, whole and across fragments.
      {"ValidKosme",
       build({text("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5")}),
       {"text:\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"}},
      {"ValidMixed",
       build({text("Hello-\xc2\xb5@\xc3\x9f\xc3\xb6\xc3\xa4\xc3\xbc-UTF-8!!")}),
       {"text:Hello-\xc2\xb5@\xc3\x9f\xc3\xb6\xc3\xa4\xc3\xbc-UTF-8!!"}},
      {"Edges",
       build({text("\x7f\xc2\x80\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf\xf4\x8f\xbf\xbf")}),
       {"text:\x7f\xc2\x80\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf\xf4\x8f\xbf\xbf"}},
      {"SplitTwoByte", build({text("\xce", false), more("\xba")}), {"text:\xce\xba"}},
      {"FourBytesInFourFragments",
       build({text("\xf0", false), more("\x9f", false), more("\x98", false), more("\x80")}),
       {"text:\xf0\x9f\x98\x80"}},
      {"SplitWithPingBetween",
       build({text("\xe2\x82", false), ping(""), more("\xac")}),
       {"ping:", "text:\xe2\x82\xac"}},
      {"InvalidFF", build({text("\xff")}), {"error:1007"}},
      {"InvalidFE", build({text("a\xfe")}), {"error:1007"}},
      {"LeadF5", build({text("\xf5\x80\x80\x80")}), {"error:1007"}},
      {"LoneContinuation", build({text("\x80")}), {"error:1007"}},
      {"OverlongC0", build({text("\xc0\xaf")}), {"error:1007"}},
      {"OverlongE0", build({text("\xe0\x80\xaf")}), {"error:1007"}},
      {"OverlongF0", build({text("\xf0\x80\x80\xaf")}), {"error:1007"}},
      {"SurrogateHigh", build({text("\xed\xa0\x80")}), {"error:1007"}},
      {"SurrogateLow", build({text("\xed\xbf\xbf")}), {"error:1007"}},
      {"PastMax", build({text("\xf4\x90\x80\x80")}), {"error:1007"}},
      {"Autobahn6_3_1",
       build({text("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80"
                   "edited")}),
       {"error:1007"}},
      {"TruncatedAtTheEnd", build({text("ok\xce")}), {"error:1007"}},
      {"TruncatedAcrossTheLastFragment",
       build({text("ok\xe1\xbd", false), more("")}),
       {"error:1007"}},
      {"BrokenAcrossFragments", build({text("\xe2\x82", false), more("x")}), {"error:1007"}},
      // Fail fast: the first fragment is refused although the message never ends.
      {"InvalidFirstFragmentFailsFast", build({text("\xce\xba\xff", false)}), {"error:1007"}},
      {"SurrogateFailsAtItsSecondByte", build({text("\xed\xa0", false)}), {"error:1007"}},
      {"PastMaxFailsAtItsSecondByte", build({text("\xf4\x90", false)}), {"error:1007"}},
      {"IncompleteButPossibleIsFine", build({text("\xf4\x8f", false), ping("")}), {"ping:"}},
      {"BinaryIsNotChecked", build({binary("\xff\xc0")}), {"binary:\xff\xc0"}},
  };
  return all;
}

std::vector<Case> close_cases() {
  std::vector<Case> all = {
      // Section 7: the closing handshake.
      {"CloseEmpty", build({close_raw("")}), {"close:1005:"}},
      {"CloseNormal", build({close_raw(code(1000))}), {"close:1000:"}},
      {"CloseWithReason", build({close_raw(code(1001) + "bye")}), {"close:1001:bye"}},
      {"CloseReason123",
       build({close_raw(code(1000) + std::string(123, 'z'))}),
       {"close:1000:" + std::string(123, 'z')}},
      {"CloseReason124IsTooLong",
       build({close_raw(code(1000) + std::string(124, 'z'))}),
       {"error:1002"}},
      {"CloseOneByte", build({close_raw("\x03")}), {"error:1002"}},
      {"CloseReasonNotUtf8", build({close_raw(code(1000) + "\xff")}), {"error:1007"}},
      {"CloseReasonCutUtf8", build({close_raw(code(1000) + "\xce")}), {"error:1007"}},
      {"CloseReasonUtf8", build({close_raw(code(1000) + "\xce\xba")}), {"close:1000:\xce\xba"}},
  };
  for (const std::uint16_t value : std::initializer_list<std::uint16_t>{
           1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999}) {
    all.push_back({"ValidCode" + std::to_string(value),
                   build({close_raw(code(value))}),
                   {"close:" + std::to_string(value) + ":"}});
  }
  for (const std::uint16_t value : std::initializer_list<std::uint16_t>{
           0, 999, 1004, 1005, 1006, 1012, 1013, 1014, 1015, 1016, 1100, 2000, 2999, 5000, 65535}) {
    all.push_back(
        {"InvalidCode" + std::to_string(value), build({close_raw(code(value))}), {"error:1002"}});
  }
  return all;
}

std::vector<Case> all_cases() {
  std::vector<Case> all = framing_cases();
  for (auto& c : utf8_cases()) all.push_back(std::move(c));
  for (auto& c : close_cases()) all.push_back(std::move(c));
  return all;
}

// Every offset for short streams; for long ones the header bytes, the tail, and a stride.
std::vector<std::size_t> split_points(std::size_t size) {
  std::vector<std::size_t> points;
  for (std::size_t at = 0; at <= size; ++at) {
    if (size <= 512 || at < 24 || at + 24 > size || at % 997 == 0) points.push_back(at);
  }
  return points;
}

TEST(WebSocketReader, NamedCases) {
  for (const auto& c : all_cases()) EXPECT_EQ(read_all(c.stream, {}), c.events) << c.name;
}

TEST(WebSocketReader, SameEventsAtEverySplit) {
  for (const auto& c : all_cases()) {
    for (const std::size_t at : split_points(c.stream.size())) {
      ASSERT_EQ(read_all(c.stream, {at}), c.events) << c.name << " split at " << at;
    }
  }
}

TEST(WebSocketReader, SameEventsAtEveryPairOfSplits) {
  for (const auto& c : all_cases()) {
    if (c.stream.size() > 48) continue;
    for (std::size_t a = 0; a <= c.stream.size(); ++a) {
      for (std::size_t b = a; b <= c.stream.size(); ++b) {
        ASSERT_EQ(read_all(c.stream, {a, b}), c.events) << c.name << " split " << a << "," << b;
      }
    }
  }
}

// A truncated stream gives a prefix of the whole's events, and nothing the whole does not.
TEST(WebSocketReader, EveryTruncatedPrefixGivesAPrefixOfTheEvents) {
  for (const auto& c : all_cases()) {
    for (const std::size_t length : split_points(c.stream.size())) {
      const auto got = read_all(c.stream.substr(0, length), {});
      ASSERT_LE(got.size(), c.events.size()) << c.name << " at " << length;
      for (std::size_t i = 0; i < got.size(); ++i) {
        ASSERT_EQ(got[i], c.events[i]) << c.name << " at " << length;
      }
    }
  }
}

// One whole, valid frame: each strict prefix is need_more and consumes nothing.
TEST(WebSocketReader, EveryTruncatedFrameNeedsMore) {
  for (const auto& frame : {text(""), text(std::string(126, 'x')), binary(std::string(65536, 'y')),
                            ping("p"), close_raw(code(1000) + "r"), text("\xce\xba")}) {
    const std::string bytes = build(frame);
    for (const std::size_t length : split_points(bytes.size() - 1)) {
      MessageReader reader(kMax);
      const auto copy = std::make_unique<char[]>(length + 1);
      std::copy(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(length), copy.get());
      const auto event = reader.next({copy.get(), length});
      ASSERT_EQ(event.kind, Kind::need_more) << bytes.size() << " cut at " << length;
      ASSERT_EQ(event.consumed, 0u);
    }
  }
}

// RFC 6455 section 5.7: "A single-frame masked text message", byte by byte.
TEST(WebSocketReader, TheRfcExampleBytes) {
  const std::string hello = "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58";
  EXPECT_EQ(build(text("Hello")), hello);  // The builder agrees with the RFC.
  EXPECT_EQ(read_all(hello, {}), std::vector<std::string>{"text:Hello"});
  const std::string pong_hello = "\x8a\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58";
  EXPECT_EQ(read_all(pong_hello, {}), std::vector<std::string>{"pong:Hello"});
}

TEST(WebSocketReader, ConsumedCountsTheFragmentsBeforeAnEvent) {
  const std::string stream = build({text("a", false), ping("in")});
  MessageReader reader(kMax);
  const auto event = reader.next(stream);
  EXPECT_EQ(event.kind, Kind::ping);
  EXPECT_EQ(event.consumed, stream.size());
  // A fragment alone is taken, with need_more: the caller must drop it.
  MessageReader second(kMax);
  const std::string fragment = build(text("ab", false));
  const auto taken = second.next(fragment + "\x80");
  EXPECT_EQ(taken.kind, Kind::need_more);
  EXPECT_EQ(taken.consumed, fragment.size());
}

TEST(WebSocketReader, AnErrorIsSticky) {
  MessageReader reader(kMax);
  const auto first = reader.next(build(with_rsv(text("r"), 4)));
  ASSERT_EQ(first.kind, Kind::error);
  EXPECT_EQ(first.code, kCloseProtocolError);
  EXPECT_FALSE(first.why.empty());
  const auto again = reader.next(build(text("fine")));
  EXPECT_EQ(again.kind, Kind::error);
  EXPECT_EQ(again.code, kCloseProtocolError);
  EXPECT_EQ(again.why, first.why);
  EXPECT_EQ(again.consumed, 0u);
}

TEST(WebSocketReader, TopBitOfA64BitLength) {
  std::string frame = "\x82\xff";
  frame += std::string("\x80\x00\x00\x00\x00\x00\x00\x01", 8);
  EXPECT_EQ(read_all(frame, {}), std::vector<std::string>{"error:1002"});
}

}  // namespace
}  // namespace soket::proto::websocket
