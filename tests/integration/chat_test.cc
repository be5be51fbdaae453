// soket chat: one room for TCP and UDP members, driven by raw sockets, nc, soket's own
// client, and its interactive client in tmux.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <regex>
#include <thread>

#include "integration/chat_peer.h"
#include "integration/chat_server_fixture.h"
#include "net/deadline_io.h"
#include "net/socket_ops.h"
#include "support/child_process.h"
#include "support/line_peer.h"
#include "support/tmux_terminal.h"

namespace soket::test {
namespace {

class Chat : public ChatServerTest {};

TEST_F(Chat, TcpAndUdpMembersShareOneRoom) {
  auto server = start();
  Peer alice(server.port, net::Transport::tcp), bob(server.port, net::Transport::udp);
  alice.join("alice");
  bob.join("bob");
  ASSERT_TRUE(alice.expect("bob joined the chat room."));
  alice.send("hello over tcp");
  EXPECT_TRUE(bob.expect("alice: hello over tcp"));
  EXPECT_TRUE(alice.expect("alice: hello over tcp"));  // The sender hears itself too.
  bob.send("bob: hello over udp");                     // The seed's client's form.
  EXPECT_TRUE(alice.expect("bob: hello over udp"));
  auto joined = server.process->wait_for_line("alice joined from 127.0.0.1:");
  ASSERT_TRUE(joined.has_value());
  EXPECT_TRUE(std::regex_search(*joined, std::regex(R"(^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] )")));
  EXPECT_TRUE(server.process->wait_for_line("alice: hello over tcp").has_value());
}

TEST_F(Chat, WrongPasswordTakenAndInvalidNames) {
  auto server = start();
  Peer alice(server.port, net::Transport::tcp);
  alice.join("alice");
  Peer other(server.port, net::Transport::tcp);
  other.send("hello before login");
  EXPECT_EQ(other.next(), "ERROR not authenticated");
  other.send("PASSWORD wrong");
  EXPECT_EQ(other.next(), "PASSWORD INCORRECT");
  other.send(std::string("PASSWORD ") + kPassword);
  EXPECT_EQ(other.next(), "PASSWORD OK");
  other.send("USERNAME ALICE");
  EXPECT_EQ(other.next(), "USERNAME TAKEN");
  other.send("USERNAME no spaces");
  EXPECT_EQ(other.next(), "USERNAME INVALID");
}

TEST_F(Chat, NobodySpeaksUnderAnotherName) {
  auto server = start();
  Peer alice(server.port, net::Transport::tcp), bob(server.port, net::Transport::tcp);
  alice.join("alice");
  bob.join("bob");
  alice.send("bob: I am bob now");
  EXPECT_TRUE(bob.expect("alice: bob: I am bob now"));
}

TEST_F(Chat, ExitAndKilledClientsAreAnnounced) {
  auto server = start();
  Peer alice(server.port, net::Transport::tcp), bob(server.port, net::Transport::tcp),
      carol(server.port, net::Transport::tcp);
  alice.join("alice");
  bob.join("bob");
  carol.join("carol");
  bob.send("exit");
  EXPECT_TRUE(alice.expect("bob left the chat room."));
  EXPECT_TRUE(bob.expect("<closed>"));
  carol.close();  // No exit: the connection just goes.
  EXPECT_TRUE(alice.expect("carol left the chat room."));
}

TEST_F(Chat, SilentUdpMemberIsDropped) {
  auto server = start({"--idle-timeout", "1"});
  Peer alice(server.port, net::Transport::tcp), ghost(server.port, net::Transport::udp);
  alice.join("alice");
  ghost.join("ghost");
  EXPECT_TRUE(alice.expect("ghost left the chat room.", 10s));
  ghost.send("still here?");
  EXPECT_EQ(ghost.next(), "ERROR not authenticated");  // Forgotten: a stranger again.
}

TEST_F(Chat, FloodingIsCut) {
  auto server = start();
  Peer alice(server.port, net::Transport::tcp);
  alice.join("alice");
  for (int i = 0; i < 60; ++i) alice.send("flood " + std::to_string(i));
  int relayed = 0, warned = 0, lines = 0;
  // Bounded: at most the 60 relays and a warning a second could come; 200 is far past that.
  for (std::string line; lines < 200 && (line = alice.next(2s)) != "<timeout>"; ++lines) {
    relayed += line.rfind("alice: flood", 0) == 0;
    warned += line == "ERROR slow down";
  }
  EXPECT_GE(relayed, 20);
  EXPECT_LT(relayed, 60);
  EXPECT_GE(warned, 1);
  EXPECT_LT(lines, 200);
}

TEST_F(Chat, OversizeLinesAndEscapesAreNotRelayed) {
  auto server = start();
  Peer alice(server.port, net::Transport::tcp), bob(server.port, net::Transport::tcp);
  alice.join("alice");
  bob.join("bob");
  alice.send(std::string(5000, 'x'));
  EXPECT_TRUE(alice.expect("ERROR line too long"));
  alice.send("\x1b[2J\x1b[31mred\x1b[0m text");
  EXPECT_EQ(bob.next(), "alice: red text");  // Nothing of the long line came first.
}

// Issue 13: a line starting with '/' that is no command reaches its sender alone, over TCP
// and UDP alike; /help answers the sender; "//" sends a literal '/'.
TEST_F(Chat, UnknownCommandsStayWithTheirSenderOverBothTransports) {
  auto server = start();
  Peer carol(server.port, net::Transport::tcp);
  carol.join("carol");
  for (const auto transport : {net::Transport::tcp, net::Transport::udp}) {
    const std::string name = transport == net::Transport::tcp ? "tcpuser" : "udpuser";
    Peer member(server.port, transport);
    member.join(name);
    ASSERT_TRUE(carol.expect(name + " joined the chat room."));
    member.send("/mgs carol secret");
    EXPECT_EQ(member.next(),
              "ERROR unknown command /mgs; /help lists the commands, //TEXT sends /TEXT");
    member.send(name + ": /mgs carol secret");  // The seed's client's form.
    EXPECT_EQ(member.next().rfind("ERROR unknown command /mgs", 0), 0u);
    member.send("/help");
    EXPECT_EQ(member.next(), "commands: /who /msg /help /quit");
    member.send("//shrug");
    // Carol's next line is the escaped one: nothing of /mgs or /help came before it.
    EXPECT_EQ(carol.next(), name + ": /shrug");
    member.send("/quit");
    EXPECT_TRUE(carol.expect(name + " left the chat room."));
  }
}

TEST_F(Chat, NetcatUserGetsHelpAndTheUnknownCommandError) {
  auto server = start();
  auto result = run({"nc", "-N", "127.0.0.1", std::to_string(server.port)},
                    std::string("PASSWORD ") + kPassword +
                        "\nUSERNAME nc-user\n/mgs x secret\n//who\n/help\nexit\n");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  std::string help;
  for (const auto* line :
       {"commands: /who /msg /help /quit", "  /who              the members of the room",
        "  /msg NAME TEXT    TEXT to NAME alone", "  /help             this list",
        "  /quit (or exit)   leave the room",
        "  //TEXT            sends /TEXT: a line starting with / is a command, never relayed"}) {
    help += std::string(line) + "\n";
  }
  EXPECT_EQ(result.out,
            "PASSWORD OK\nUSERNAME OK\nnc-user joined the chat room.\n"
            "ERROR unknown command /mgs; /help lists the commands, //TEXT sends /TEXT\n"
            "nc-user: /who\n" +
                help);
}

// Seed 004's own client (UDP, --seed-compatible) writes "<name>: " before every line: its
// user's commands work too, and a mistyped one still reaches nobody else.
TEST_F(Chat, SeedClientsCommandsStayWithTheirSender) {
  if (run({"python3", "--version"}).exit_code != 0) GTEST_SKIP() << "python3 is not installed";
  auto server = start({"--seed-compatible"});
  Peer watcher(server.port, net::Transport::tcp);
  watcher.join("watcher");
  const std::string input = "127.0.0.1\n" + std::to_string(server.port) + "\n" + kPassword +
                            "\nseedy\n/mgs watcher secret\n/help\nhalo\nexit\n";
  auto result = run({"python3", "-u", std::string(SEEDS_DIR) + "/seed004_client.py"}, input, 30s);
  EXPECT_TRUE(watcher.expect("seedy joined the chat room."));
  EXPECT_EQ(watcher.next(), "seedy: halo");  // Nothing of /mgs or /help came before it.
  EXPECT_TRUE(watcher.expect("seedy left the chat room."));
  // Its replies are not asserted: the seed's client ends as soon as its input does, and its
  // receiving thread with it, so what it prints of them is a race.
  EXPECT_NE(result.out.find("Anda bergabung sebagai seedy"), std::string::npos) << result.out;
}

TEST_F(Chat, NetcatSpeaksTheProtocolByHand) {
  auto server = start();
  auto result =
      run({"nc", "-N", "127.0.0.1", std::to_string(server.port)},
          std::string("PASSWORD ") + kPassword + "\nUSERNAME nc-user\nhello\n/who\nexit\n");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out,
            "PASSWORD OK\nUSERNAME OK\nnc-user joined the chat room.\nnc-user: hello\n"
            "members (1): nc-user\n");
}

TEST_F(Chat, ScriptedSoketClientOverBothTransports) {
  auto server = start();
  Peer watcher(server.port, net::Transport::tcp);
  watcher.join("watcher");
  for (const char* udp : {"", "--udp"}) {
    std::vector<std::string> args = {
        soket_binary(), "chat",  "client", "-H", "127.0.0.1", "-p", std::to_string(server.port),
        "-u",           "script"};
    if (*udp) args.push_back(udp);
    auto result =
        run(args, "first\nsecond\n", 20s, {std::string("SOKET_CHAT_PASSWORD=") + kPassword});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find("script: first\n"), std::string::npos) << result.out;
    // Stdin is no terminal: plain lines, no editor, not one escape code.
    EXPECT_EQ(result.out.find('\x1b'), std::string::npos) << result.out;
    EXPECT_TRUE(watcher.expect("script: second"));
    EXPECT_TRUE(watcher.expect("script left the chat room."));
  }
}

// A server that is not soket's room (a fake: no real program sends this on purpose) logs the
// client in, then sends escape sequences (clear screen, set the window title, a bidi
// override) and a bell: the client prints the text without any of them.
TEST(ChatClient, HostileServerCannotWriteEscapesToTheTerminal) {
  auto listener = net::open_listener(*net::Address::parse("127.0.0.1", 0), {}, 1);
  ASSERT_TRUE(static_cast<bool>(listener));
  const int port = net::local_address(listener->get())->port();
  std::thread server([&] {
    const auto deadline = Clock::now() + 20s;
    if (!net::wait_ready(listener->get(), POLLIN, deadline)) return;
    auto accepted = net::try_accept(listener->get());
    if (!accepted) return;
    const int fd = accepted->fd.get();
    const std::string script =
        "PASSWORD OK\nUSERNAME OK\n\x1b[2J\x1b]0;pwned\x07"
        "evil \xe2\x80\xaeright\x1b[0m\n";
    (void)net::write_all(fd, as_bytes(script), deadline);
    // Until the client leaves: it sends "exit" at the end of its input; then we close, as
    // the room does.
    std::string heard;
    char buffer[512];
    for (int reads = 0; reads < 100 && heard.find("exit\n") == std::string::npos; ++reads) {
      auto n = net::read_some(fd, std::as_writable_bytes(std::span(buffer)), deadline);
      if (!n || *n == 0) break;
      heard.append(buffer, *n);
    }
  });
  auto result = run({soket_binary(), "chat", "client", "-H", "127.0.0.1", "-p",
                     std::to_string(port), "-u", "victim"},
                    "", 20s, {std::string("SOKET_CHAT_PASSWORD=") + kPassword});
  server.join();
  EXPECT_NE(result.out.find("evil right\n"), std::string::npos) << result.out << result.err;
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out.find('\x1b'), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find('\x07'), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("\xe2\x80\xae"), std::string::npos) << result.out;
}

TEST_F(Chat, ClientWithWrongPasswordIsRejected) {
  auto server = start();
  auto result = run({soket_binary(), "chat", "client", "-H", "127.0.0.1", "-p",
                     std::to_string(server.port), "-u", "x"},
                    "", 20s, {"SOKET_CHAT_PASSWORD=nope"});
  EXPECT_EQ(result.exit_code, 10) << result.err;
  EXPECT_NE(result.err.find("incorrect"), std::string::npos);
}

TEST_F(Chat, PasswordIsNeverPrinted) {
  auto server = start();
  Peer alice(server.port, net::Transport::tcp);
  alice.join("alice");
  alice.send("exit");
  EXPECT_TRUE(server.process->wait_for_line("alice left").has_value());
  server.process->send_signal(SIGTERM);
  ASSERT_EQ(server.process->wait_exit(10s), 0);
  EXPECT_EQ(server.process->out().find(kPassword), std::string::npos);
  EXPECT_EQ(server.process->err().find(kPassword), std::string::npos);
}

// The interactive client in a real terminal (tmux), ended at teardown.
class InteractiveChat : public Chat {
 protected:
  void SetUp() override {
    if (!TmuxTerminal::available()) GTEST_SKIP() << "tmux is not installed";
  }
  // Starts alice's client in a 100x20 terminal; after it ends, the shell prints its exit
  // code and waits (so the screen stays to be read). EDITRC points nowhere: the user's own
  // ~/.editrc must not change the keys under test.
  void start_client(int port) {
    const std::string command = std::string("env SOKET_CHAT_PASSWORD='") + kPassword +
                                "' EDITRC=/nonexistent/editrc " + soket_binary() +
                                " chat client -H 127.0.0.1 -p " + std::to_string(port) +
                                " -u alice; echo client-exit=$?; sleep 120";
    ASSERT_TRUE(terminal_.start(command, 100, 20));
  }
  void keys(std::vector<std::string> names) { terminal_.keys(std::move(names)); }
  void type(const std::string& text) { terminal_.type(text); }
  std::string screen() const { return terminal_.screen(); }
  // True once the last line of the screen is `wanted` (trailing blanks aside).
  bool input_line_is(const std::string& wanted) {
    return terminal_.wait_for(
        [&](const std::string& now) { return last_nonblank_line(now) == wanted; });
  }
  bool screen_shows(const std::string& wanted) { return terminal_.wait_for_text(wanted); }

  TmuxTerminal terminal_{"chat-test"};
};

// A line arriving while the user types appears above the input line, which stays intact
// and is sent whole on Enter.
TEST_F(InteractiveChat, TypedLineSurvivesIncomingMessages) {
  auto server = start();
  Peer bob(server.port, net::Transport::tcp);
  bob.join("bob");
  start_client(server.port);
  EXPECT_TRUE(input_line_is("alice>"));
  type("half typed");
  EXPECT_TRUE(input_line_is("alice> half typed"));
  bob.send("hello from bob");
  EXPECT_TRUE(terminal_.wait_for([](const std::string& screen) {
    return screen.find("bob: hello from bob") != std::string::npos &&
           last_nonblank_line(screen) == "alice> half typed";
  })) << screen();
  type(" and finished");  // The cursor is still at the end of the redrawn line.
  keys({"Enter"});
  EXPECT_TRUE(bob.expect("alice: half typed and finished"));
  EXPECT_TRUE(input_line_is("alice>")) << screen();  // A fresh, empty line.
  type("exit");
  keys({"Enter"});
  EXPECT_TRUE(bob.expect("alice left the chat room."));
  EXPECT_TRUE(screen_shows("client-exit=0")) << screen();
}

// Up recalls the line sent before; left-arrow moves the cursor so typing inserts in the
// middle; Home/End, Ctrl-A/E/K/U/W edit as in bash.
TEST_F(InteractiveChat, HistoryAndEditingKeys) {
  auto server = start();
  Peer bob(server.port, net::Transport::tcp);
  bob.join("bob");
  start_client(server.port);
  ASSERT_TRUE(input_line_is("alice>"));
  type("first line");
  keys({"Enter"});
  ASSERT_TRUE(bob.expect("alice: first line"));
  type("second line");
  keys({"Enter"});
  ASSERT_TRUE(bob.expect("alice: second line"));
  keys({"Up", "Up"});
  EXPECT_TRUE(input_line_is("alice> first line")) << screen();
  keys({"Down"});
  EXPECT_TRUE(input_line_is("alice> second line")) << screen();
  keys({"Enter"});
  EXPECT_EQ(bob.next(), "alice: second line");  // Sent again, whole.

  type("helo world");
  keys({"Left", "Left", "Left", "Left", "Left", "Left", "Left"});
  type("l");
  EXPECT_TRUE(input_line_is("alice> hello world")) << screen();
  keys({"Home"});
  type("[");
  keys({"End"});
  type("]");
  EXPECT_TRUE(input_line_is("alice> [hello world]")) << screen();
  keys({"Enter"});
  EXPECT_EQ(bob.next(), "alice: [hello world]");

  type("keep cut");
  keys({"C-a", "Right", "Right", "Right", "Right", "C-k"});  // Cut from the cursor to the end.
  EXPECT_TRUE(input_line_is("alice> keep")) << screen();
  keys({"C-a", "C-e"});
  type("s two words");
  keys({"C-w"});  // The word before the cursor.
  EXPECT_TRUE(input_line_is("alice> keeps two")) << screen();
  keys({"BSpace", "Left", "Left", "Left", "Left", "BSpace", "Right", "Delete"});
  EXPECT_TRUE(input_line_is("alice> keep wo")) << screen();
  keys({"Enter"});
  EXPECT_EQ(bob.next(), "alice: keep wo");

  type("all of this goes");
  keys({"C-u"});  // From the start to the cursor.
  EXPECT_TRUE(input_line_is("alice>")) << screen();
  type("/mgs bob secret");  // A typo of a command: only alice hears of it.
  keys({"Enter"});
  EXPECT_TRUE(screen_shows("ERROR unknown command /mgs")) << screen();
  type("/help");
  keys({"Enter"});
  EXPECT_TRUE(screen_shows("//TEXT            sends /TEXT")) << screen();
  type("//shrug");
  keys({"Enter"});
  EXPECT_EQ(bob.next(), "alice: /shrug");  // Nothing of the typo or of /help came first.

  // Ctrl-C leaves the room (as exit does) and gives the terminal back: it echoes again.
  keys({"C-c"});
  EXPECT_TRUE(bob.expect("alice left the chat room."));
  EXPECT_TRUE(screen_shows("client-exit=0")) << screen();
  type("echoed");
  EXPECT_TRUE(screen_shows("echoed")) << screen();
}

TEST(ChatServer, WithoutAPasswordItExitsWithAClearError) {
  auto result = run({soket_binary(), "chat", "server", "-p", "0"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("needs a password"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace soket::test
