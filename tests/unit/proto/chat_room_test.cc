#include "proto/chat/room.h"

#include <gtest/gtest.h>

#include "proto/chat/client_lines.h"
#include "proto/chat/text_sanitizer.h"

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
