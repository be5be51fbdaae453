// The chat room's commands (proto/chat/commands.h): what a line starting with '/' does, that
// an unknown one reaches its sender alone, /help, and the "//" escape.
#include "proto/chat/commands.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "proto/chat/client_lines.h"
#include "proto/chat/room.h"

namespace soket::proto::chat {
namespace {

using namespace std::chrono_literals;

struct ParseRow {
  const char* name;
  std::string_view line;
  Command command;
  std::string_view argument;
};

const ParseRow kParseRows[] = {
    {"plain text", "hello", Command::text, "hello"},
    {"empty", "", Command::text, ""},
    {"slash later", "a /who b", Command::text, "a /who b"},
    {"who", "/who", Command::who, ""},
    {"who any case", "/WHO", Command::who, ""},
    {"who ignores words", "/who is here", Command::who, "is here"},
    {"msg", "/msg bob hi there", Command::msg, "bob hi there"},
    {"msg bare", "/msg", Command::msg, ""},
    {"help", "/help", Command::help, ""},
    {"quit", "/quit", Command::quit, ""},
    {"quit with words", "/Quit bye all", Command::quit, "bye all"},
    {"typo", "/mgs ani secret", Command::unknown, "/mgs"},
    {"prefix of a command", "/wh", Command::unknown, "/wh"},
    {"command glued on", "/whoami", Command::unknown, "/whoami"},
    {"lone slash", "/", Command::unknown, "/"},
    {"slash space", "/ text", Command::unknown, "/"},
    {"escape", "//shrug", Command::text, "/shrug"},
    {"escaped command", "//who", Command::text, "/who"},
    {"escape alone", "//", Command::text, "/"},
    {"escape once only", "///x", Command::text, "//x"},
};

TEST(ChatCommands, ParseTable) {
  for (const auto& row : kParseRows) {
    const auto parsed = parse_member_line(row.line);
    EXPECT_EQ(parsed.command, row.command) << row.name;
    EXPECT_EQ(parsed.argument, row.argument) << row.name;
  }
}

TEST(ChatCommands, HelpNamesEveryCommandAndTheEscape) {
  std::string all;
  for (const auto& line : help_lines()) all += line + "\n";
  for (const char* word : {"/who", "/msg", "/help", "/quit", "exit", "//"}) {
    EXPECT_NE(all.find(word), std::string::npos) << word;
  }
  // Every word /help names as a command is one the parser knows.
  for (const char* word : {"/who", "/msg", "/help", "/quit"}) {
    EXPECT_NE(parse_member_line(word).command, Command::unknown) << word;
  }
}

TEST(ChatCommands, UnknownCommandErrorIsCleanAndShort) {
  EXPECT_EQ(unknown_command_error("/mgs"),
            "ERROR unknown command /mgs; /help lists the commands, //TEXT sends /TEXT");
  const auto escaped = unknown_command_error("/\x1b[31mred\x07");
  EXPECT_EQ(escaped.find('\x1b'), std::string::npos);
  EXPECT_EQ(escaped.find('\x07'), std::string::npos);
  const auto long_one = unknown_command_error("/" + std::string(4000, 'x'));
  EXPECT_LT(long_one.size(), unknown_command_error("").size() + kMaxEchoedCommand + 1);
}

TEST(ChatCommands, ClientSendsCommandsAsTheyAreAndEscapesAsMessages) {
  EXPECT_EQ(outgoing_line("alice", "/who"), "/who");
  EXPECT_EQ(outgoing_line("alice", "/mgs ani x"), "/mgs ani x");  // For the server to refuse.
  EXPECT_EQ(outgoing_line("alice", "//shrug"), "alice: //shrug");
  EXPECT_EQ(outgoing_line("alice", "hi"), "alice: hi");
  EXPECT_TRUE(is_leave_command("/quit"));
  EXPECT_TRUE(is_leave_command("/QUIT see you"));
  EXPECT_TRUE(is_leave_command("exit"));
  EXPECT_FALSE(is_leave_command("//quit"));
  EXPECT_FALSE(is_leave_command("/quitter"));
}

class RoomCommands : public testing::Test {
 protected:
  RoomCommands() : room_("pw", Limits{}) {
    join(1, "alice");
    join(2, "bob");
  }
  void join(SessionId id, const std::string& name) {
    room_.open(id, "127.0.0.1", "peer");
    Actions out;
    room_.receive(id, "PASSWORD pw", now_, out);
    room_.receive(id, "USERNAME " + name, now_, out);
  }
  // The line from alice (1); what reached alice, what reached bob (2).
  struct Heard {
    std::vector<std::string> alice, bob;
    std::vector<std::string> log;
  };
  Heard say(std::string_view line) {
    Actions out;
    room_.receive(1, line, now_, out);
    Heard heard;
    for (const auto& d : out.deliveries) {
      if (d.to == 1 || d.to == kEveryMember) heard.alice.push_back(d.line);
      if (d.to == 2 || d.to == kEveryMember) heard.bob.push_back(d.line);
    }
    heard.log = out.log;
    return heard;
  }

  Room room_;
  TimePoint now_{std::chrono::hours(1)};
};

TEST_F(RoomCommands, UnknownCommandIsNeverFannedOut) {
  // With and without the "<name>: " the seed's client (and soket's, for text) writes first.
  for (const char* line : {"/mgs bob secret", "alice: /mgs bob secret", "/", "/ secret"}) {
    const auto heard = say(line);
    EXPECT_TRUE(heard.bob.empty()) << line;
    EXPECT_TRUE(heard.log.empty()) << line;  // Not logged as a message either.
    ASSERT_EQ(heard.alice.size(), 1u) << line;
    EXPECT_EQ(heard.alice[0].rfind("ERROR unknown command /", 0), 0u) << heard.alice[0];
  }
  EXPECT_EQ(say("/mgs bob secret").alice[0],
            "ERROR unknown command /mgs; /help lists the commands, //TEXT sends /TEXT");
}

TEST_F(RoomCommands, HelpGoesToTheSenderAlone) {
  const auto heard = say("/help");
  EXPECT_EQ(heard.alice, help_lines());
  EXPECT_TRUE(heard.bob.empty());
  EXPECT_EQ(say("alice: /HELP").alice, help_lines());
}

TEST_F(RoomCommands, DoubledSlashSendsALiteralSlash) {
  EXPECT_EQ(say("//shrug").bob, std::vector<std::string>{"alice: /shrug"});
  EXPECT_EQ(say("alice: //who").bob, std::vector<std::string>{"alice: /who"});
  EXPECT_EQ(say("//").bob, std::vector<std::string>{"alice: /"});
}

TEST_F(RoomCommands, CommandsWorkBehindTheSendersOwnName) {
  EXPECT_EQ(say("alice: /who").alice, std::vector<std::string>{"members (2): alice bob"});
  EXPECT_EQ(say("alice: /msg bob psst").bob, std::vector<std::string>{"[private] alice: psst"});
  // Another's name in front makes it text, as before: nobody speaks as bob.
  EXPECT_EQ(say("bob: /who").bob, std::vector<std::string>{"alice: bob: /who"});
}

TEST_F(RoomCommands, QuitWithWordsLeaves) {
  Actions out;
  room_.receive(1, "/QUIT good night", now_, out);
  EXPECT_EQ(out.closes, std::vector<SessionId>{1});
  EXPECT_FALSE(room_.has_session(1));
  ASSERT_EQ(out.deliveries.size(), 1u);
  EXPECT_EQ(out.deliveries[0].line, "alice left the chat room.");
}

TEST_F(RoomCommands, MistakesAreRateLimitedLikeText) {
  int errors = 0, warnings = 0;
  for (int i = 0; i < 50; ++i) {
    const auto heard = say("/nope");
    for (const auto& line : heard.alice) {
      errors += line.rfind("ERROR unknown command", 0) == 0;
      warnings += line == "ERROR slow down";
    }
  }
  EXPECT_EQ(errors, 20);
  EXPECT_EQ(warnings, 1);
}

}  // namespace
}  // namespace soket::proto::chat
