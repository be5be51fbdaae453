#include "proto/chat/room.h"

#include <gtest/gtest.h>

#include "proto/chat/client_lines.h"
#include "proto/chat/failure_table.h"
#include "proto/chat/text_sanitizer.h"
#include "proto/chat/udp_token.h"

namespace soket::proto::chat {
namespace {

using namespace std::chrono_literals;

class RoomTest : public testing::Test {
 protected:
  RoomTest() : room_("s3cret", Limits{}) {}

  // Sends a line from `id` and returns what the room delivered to `to` (kEveryMember
  // deliveries expanded to the members at that moment).
  std::vector<std::string> say(SessionId id, std::string_view line, SessionId to) {
    Actions out;
    room_.receive(id, line, now_, out);
    return delivered(out, to);
  }
  std::vector<std::string> delivered(const Actions& out, SessionId to) {
    std::vector<std::string> lines;
    for (const auto& d : out.deliveries) {
      const bool to_all = d.to == kEveryMember;
      const auto& members = room_.members();
      if (d.to == to ||
          (to_all && std::find(members.begin(), members.end(), to) != members.end())) {
        lines.push_back(d.line);
      }
    }
    return lines;
  }
  void join(SessionId id, const std::string& name, std::string origin = "127.0.0.1") {
    room_.open(id, origin, "peer");
    ASSERT_EQ(say(id, "PASSWORD s3cret", id), std::vector<std::string>{"PASSWORD OK"});
    const auto replies = say(id, "USERNAME " + name, id);
    ASSERT_FALSE(replies.empty());
    ASSERT_EQ(replies.front(), "USERNAME OK");
  }

  Room room_;
  TimePoint now_{std::chrono::hours(1)};
};

TEST_F(RoomTest, NothingButPasswordBeforeAuthentication) {
  room_.open(1, "10.0.0.1", "peer");
  EXPECT_EQ(say(1, "hello", 1), std::vector<std::string>{"ERROR not authenticated"});
  EXPECT_EQ(say(1, "USERNAME bob", 1), std::vector<std::string>{"ERROR not authenticated"});
  EXPECT_EQ(say(1, "PING", 1), std::vector<std::string>{"PONG"});
  EXPECT_EQ(say(1, "PASSWORD wrong", 1), std::vector<std::string>{"PASSWORD INCORRECT"});
  EXPECT_EQ(say(1, "PASSWORD s3cret", 1), std::vector<std::string>{"PASSWORD OK"});
  EXPECT_FALSE(room_.is_member(1));
}

TEST_F(RoomTest, JoinIsAnnouncedToEveryoneIncludingTheNewcomer) {
  join(1, "alice");
  room_.open(2, "127.0.0.1", "peer");
  say(2, "PASSWORD s3cret", 2);
  Actions out;
  room_.receive(2, "USERNAME bob", now_, out);
  EXPECT_EQ(delivered(out, 2),
            (std::vector<std::string>{"USERNAME OK", "bob joined the chat room."}));
  EXPECT_EQ(delivered(out, 1), std::vector<std::string>{"bob joined the chat room."});
  ASSERT_EQ(out.log.size(), 1u);
  EXPECT_EQ(out.log[0], "bob joined from peer");
}

TEST_F(RoomTest, NamesAreUniqueWithoutRegardToCase) {
  join(1, "Alice");
  room_.open(2, "127.0.0.1", "peer");
  say(2, "PASSWORD s3cret", 2);
  EXPECT_EQ(say(2, "USERNAME alice", 2), std::vector<std::string>{"USERNAME TAKEN"});
  EXPECT_EQ(say(2, "USERNAME ALICE", 2), std::vector<std::string>{"USERNAME TAKEN"});
}

TEST_F(RoomTest, InvalidNames) {
  room_.open(1, "127.0.0.1", "peer");
  say(1, "PASSWORD s3cret", 1);
  for (const char* bad :
       {"", "a b", "x/y", "\xC3\xA9", "123456789012345678901234567890123", "a:"}) {
    EXPECT_EQ(say(1, std::string("USERNAME ") + bad, 1),
              std::vector<std::string>{"USERNAME INVALID"})
        << bad;
  }
  EXPECT_TRUE(is_valid_name("a.b-c_D9"));
  EXPECT_TRUE(is_valid_name("12345678901234567890123456789012"));
}

TEST_F(RoomTest, MessagesGoToEveryMemberUnderTheSendersName) {
  join(1, "alice");
  join(2, "bob");
  room_.open(3, "127.0.0.1", "peer");  // Not a member: hears nothing.
  Actions out;
  room_.receive(1, "hello all", now_, out);
  EXPECT_EQ(delivered(out, 1), std::vector<std::string>{"alice: hello all"});
  EXPECT_EQ(delivered(out, 2), std::vector<std::string>{"alice: hello all"});
  EXPECT_TRUE(delivered(out, 3).empty());
}

TEST_F(RoomTest, OwnNamePrefixIsDroppedAndNobodyCanImpersonate) {
  join(1, "alice");
  join(2, "bob");
  EXPECT_EQ(say(1, "alice: as the seed writes it", 2),
            std::vector<std::string>{"alice: as the seed writes it"});
  EXPECT_EQ(say(1, "bob: I am bob", 2), std::vector<std::string>{"alice: bob: I am bob"});
  EXPECT_EQ(outgoing_line("alice", "hi"), "alice: hi");
  EXPECT_EQ(outgoing_line("alice", "/who"), "/who");
}

TEST_F(RoomTest, ControlCharactersAndEscapesAreRemoved) {
  join(1, "alice");
  EXPECT_EQ(say(1, "\x1b[2J\x1b[31mred\x1b[0m\a bell\x7f", 1),
            std::vector<std::string>{"alice: red bell"});
  EXPECT_EQ(say(1, "bad \xFF byte", 1), std::vector<std::string>{"alice: bad \xEF\xBF\xBD byte"});
  EXPECT_EQ(sanitize("\x1b]0;title\a ok"), " ok");
  EXPECT_EQ(sanitize("tab\tkept"), "tab\tkept");
  EXPECT_EQ(sanitize("\xC2\x9B"
                     "1m c1"),
            "1m c1");  // C1 CSI, U+009B.
}

TEST_F(RoomTest, FloodingIsCutAtTwentyPerSecond) {
  join(1, "alice");
  int relayed = 0, warnings = 0;
  for (int i = 0; i < 50; ++i) {
    for (const auto& line : say(1, "spam " + std::to_string(i), 1)) {
      if (line.rfind("alice: spam", 0) == 0) ++relayed;
      if (line == "ERROR slow down") ++warnings;
    }
  }
  EXPECT_EQ(relayed, 20);
  EXPECT_EQ(warnings, 1);  // Once a second, not once a message.
  now_ += 1s;
  EXPECT_EQ(say(1, "after a second", 1), std::vector<std::string>{"alice: after a second"});
}

TEST_F(RoomTest, FiveWrongPasswordsLockTheAddressOutForAMinute) {
  room_.open(1, "10.0.0.9", "peer");
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(say(1, "PASSWORD guess", 1), std::vector<std::string>{"PASSWORD INCORRECT"});
  }
  EXPECT_EQ(say(1, "PASSWORD s3cret", 1), std::vector<std::string>{"ERROR too many attempts"});
  room_.open(2, "10.0.0.9", "peer");  // Another connection from the same address: locked too.
  EXPECT_EQ(say(2, "PASSWORD s3cret", 2), std::vector<std::string>{"ERROR too many attempts"});
  room_.open(3, "10.0.0.8", "peer");  // Another address is not.
  EXPECT_EQ(say(3, "PASSWORD s3cret", 3), std::vector<std::string>{"PASSWORD OK"});
  now_ += 61s;
  EXPECT_EQ(say(1, "PASSWORD s3cret", 1), std::vector<std::string>{"PASSWORD OK"});
}

TEST_F(RoomTest, RoomFull) {
  Room small("pw", Limits{.max_users = 1});
  Actions out;
  small.open(1, "a", "p");
  small.receive(1, "PASSWORD pw", now_, out);
  small.receive(1, "USERNAME one", now_, out);
  small.open(2, "a", "p");
  small.receive(2, "PASSWORD pw", now_, out);
  out.clear();
  small.receive(2, "USERNAME two", now_, out);
  ASSERT_EQ(out.deliveries.size(), 1u);
  EXPECT_EQ(out.deliveries[0].line, "ERROR room full");
}

TEST_F(RoomTest, WhoAndPrivateMessages) {
  join(1, "bob");
  join(2, "alice");
  EXPECT_EQ(say(1, "/who", 1), std::vector<std::string>{"members (2): alice bob"});
  Actions out;
  room_.receive(2, "/msg BOB psst", now_, out);
  EXPECT_EQ(delivered(out, 1), std::vector<std::string>{"[private] alice: psst"});
  EXPECT_TRUE(delivered(out, 2).empty());
  EXPECT_EQ(say(2, "/msg carol hi", 2), std::vector<std::string>{"ERROR no such member: carol"});
  EXPECT_EQ(say(2, "/msg", 2), std::vector<std::string>{"ERROR usage: /msg <name> <text>"});
  // Found by the fuzzer: the unknown name came back with its control characters.
  EXPECT_EQ(say(2, "/msg \x1b[31mx\x01 hi", 2),
            std::vector<std::string>{"ERROR no such member: x"});
}

TEST_F(RoomTest, ExitLeavesAndIsAnnounced) {
  join(1, "alice");
  join(2, "bob");
  Actions out;
  room_.receive(1, "exit", now_, out);
  EXPECT_EQ(out.closes, std::vector<SessionId>{1});
  EXPECT_EQ(delivered(out, 2), std::vector<std::string>{"alice left the chat room."});
  EXPECT_FALSE(room_.has_session(1));
  EXPECT_EQ(room_.member_count(), 1u);
  out.clear();
  room_.close(2, "left (connection closed)", out);
  ASSERT_EQ(out.log.size(), 1u);
  EXPECT_EQ(out.log[0], "bob left (connection closed)");
}

TEST_F(RoomTest, OverlongLineIsRefusedNotRelayed) {
  join(1, "alice");
  join(2, "bob");
  Actions out;
  room_.receive(1, std::string(4097, 'x'), now_, out);
  EXPECT_EQ(delivered(out, 1), std::vector<std::string>{"ERROR line too long"});
  EXPECT_TRUE(delivered(out, 2).empty());
}

TEST(ConstantTime, ComparesWholeStrings) {
  EXPECT_TRUE(equal_in_constant_time("abc", "abc"));
  EXPECT_FALSE(equal_in_constant_time("abc", "abd"));
  EXPECT_FALSE(equal_in_constant_time("abc", "ab"));
  EXPECT_FALSE(equal_in_constant_time("abc", "abcabc"));
  EXPECT_FALSE(equal_in_constant_time("", ""));
}

}  // namespace
}  // namespace soket::proto::chat

namespace soket::proto::chat {
namespace {

using namespace std::chrono_literals;

TEST(Sanitizer, BidiControlsAndSeparatorsAreRemoved) {
  // Every Bidi_Control character, and U+2028 / U+2029, between letters.
  const char* const removed[] = {"\u061C", "\u200E", "\u200F", "\u2028", "\u2029",
                                 "\u202A", "\u202B", "\u202C", "\u202D", "\u202E",
                                 "\u2066", "\u2067", "\u2068", "\u2069"};
  for (const char* c : removed) {
    EXPECT_EQ(sanitize(std::string("a") + c + "b"), "ab") << c;
  }
  // Their neighbours stay: U+200D (joiner, used in emoji), U+202F, U+2065 (unassigned), U+206A.
  for (const char* kept : {"\u200D", "\u202F", "\u2065", "\u206A", "\u05D0"}) {
    EXPECT_EQ(sanitize(std::string("a") + kept + "b"), std::string("a") + kept + "b") << kept;
  }
}

TEST(FailureTable, UdpGuessesLockOutUdpOnlyAndTcpGuessesBoth) {
  FailureTable table(FailurePolicy{});
  const TimePoint now{std::chrono::hours(1)};
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(table.record("10.0.0.1", Via::udp, now));
  EXPECT_TRUE(table.record("10.0.0.1", Via::udp, now));
  EXPECT_TRUE(table.locked("10.0.0.1", Via::udp, now));
  EXPECT_FALSE(table.locked("10.0.0.1", Via::tcp, now));
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(table.record("10.0.0.2", Via::tcp, now));
  EXPECT_TRUE(table.record("10.0.0.2", Via::tcp, now));
  EXPECT_TRUE(table.locked("10.0.0.2", Via::udp, now));
  EXPECT_TRUE(table.locked("10.0.0.2", Via::tcp, now));
  EXPECT_FALSE(table.locked("10.0.0.2", Via::tcp, now + 61s));  // The lockout ends.
}

TEST(FailureTable, GuessesOutsideTheWindowDoNotAddUp) {
  FailureTable table(FailurePolicy{});
  TimePoint now{std::chrono::hours(1)};
  for (int i = 0; i < 20; ++i, now += 16s) EXPECT_FALSE(table.record("a", Via::tcp, now));
}

TEST(FailureTable, BoundedAndForgetsTheLeastRecentFirst) {
  FailureTable table(FailurePolicy{.capacity = 100});
  TimePoint now{std::chrono::hours(1)};
  for (int i = 0; i < 5; ++i) table.record("locked", Via::tcp, now);
  for (int i = 0; i < 99; ++i) table.record("o" + std::to_string(i), Via::tcp, now);
  EXPECT_EQ(table.size(), 100u);
  EXPECT_TRUE(table.locked("locked", Via::tcp, now));
  table.record("one more", Via::tcp, now);  // Full: "locked" failed least recently.
  EXPECT_EQ(table.size(), 100u);
  EXPECT_FALSE(table.locked("locked", Via::tcp, now));
  // Expired entries are pruned before anything still counting is forgotten.
  now += 10min;
  table.record("late", Via::tcp, now);
  EXPECT_EQ(table.size(), 1u);
}

TEST(RoomFailures, TableIsBoundedByLimits) {
  Room room("pw", Limits{.max_failure_origins = 50});
  Actions out;
  const TimePoint now{std::chrono::hours(1)};
  for (SessionId id = 1; id <= 1000; ++id) {
    room.open(id, "origin" + std::to_string(id), "peer", Via::udp);
    room.receive(id, "PASSWORD no", now, out);
    room.close(id, "gone", out);
  }
  EXPECT_EQ(room.failure_origins(), 50u);
  EXPECT_EQ(room.session_count(), 0u);
}

TEST(RoomToken, GivenRightAfterUsernameOk) {
  Room room("pw", Limits{});
  Actions out;
  const TimePoint now{std::chrono::hours(1)};
  room.open(7, "10.0.0.7", "peer", Via::udp);
  room.receive(7, "PASSWORD pw", now, out);
  room.set_token(7, std::string(32, 'a'));
  out.clear();
  room.receive(7, "USERNAME uma", now, out);
  ASSERT_GE(out.deliveries.size(), 3u);
  EXPECT_EQ(out.deliveries[0].line, "USERNAME OK");
  EXPECT_EQ(out.deliveries[1].to, 7u);
  EXPECT_EQ(out.deliveries[1].line, "TOKEN " + std::string(32, 'a'));
  EXPECT_EQ(out.deliveries[2].line, "uma joined the chat room.");
}

TEST(UdpToken, SplitsOnlyAWellFormedToken) {
  const std::string token(32, 'f');
  const std::string datagram = "TOKEN " + token + " hello there\n";  // The views point here.
  auto split = split_token(datagram);
  ASSERT_TRUE(split.token.has_value());
  EXPECT_EQ(*split.token, token);
  EXPECT_EQ(split.line, "hello there");
  const std::string bare = "TOKEN " + token;
  split = split_token(bare);
  ASSERT_TRUE(split.token.has_value());
  EXPECT_EQ(split.line, "");
  for (const std::string& bad :
       std::vector<std::string>{"TOKEN " + std::string(31, 'f') + " x", "TOKEN " + token + "x",
                                "TOKEN " + std::string(32, 'F') + " x", std::string("hello"),
                                std::string("TOKEN "), std::string()}) {
    split = split_token(bad);
    EXPECT_FALSE(split.token.has_value()) << bad;
    EXPECT_EQ(split.line, bad);
  }
  EXPECT_EQ(with_token(token, "hi"), "TOKEN " + token + " hi");
  EXPECT_EQ(token_of_reply("TOKEN " + token), token);
  EXPECT_EQ(token_of_reply("TOKEN " + token + "\n"), token);
  EXPECT_FALSE(token_of_reply("TOKEN abc").has_value());
  EXPECT_FALSE(token_of_reply("USERNAME OK").has_value());
}

}  // namespace
}  // namespace soket::proto::chat
