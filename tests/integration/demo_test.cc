// soket demo: every stop runs and checks itself; on a terminal the browser stop leaves the
// chat room open, serving its page to a real client (curl), until Enter.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "support/child_process.h"
#include "support/tmux_terminal.h"

namespace soket::test {
namespace {

using namespace std::chrono_literals;

TEST(Demo, RunsEveryStopAndExitsZero) {
  auto result = run({soket_binary(), "demo"}, "", 60s);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("All "), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("DIFFERENT"), std::string::npos);
  // The browser stop fetched the page and named its address; off a terminal it did not wait.
  EXPECT_TRUE(std::regex_search(
      result.out, std::regex(R"(open http://127\.0\.0\.1:\d+/ in a browser, password: demo)")))
      << result.out;
  EXPECT_EQ(result.out.find("press Enter"), std::string::npos) << result.out;
}

TEST(Demo, OnATerminalTheRoomServesItsPageUntilEnter) {
  if (!TmuxTerminal::available()) GTEST_SKIP() << "tmux is not installed";
  TmuxTerminal terminal("demo-test");
  ASSERT_TRUE(terminal.start(soket_binary() + " demo; echo demo-exit=$?; sleep 120", 200, 60));
  ASSERT_TRUE(terminal.wait_for_text("press Enter to go on", 120s)) << terminal.screen();
  std::smatch found;
  const std::string screen = terminal.screen();
  ASSERT_TRUE(std::regex_search(screen, found, std::regex(R"(open (http://127\.0\.0\.1:\d+/) in)")))
      << screen;
  const std::string url = found[1];
  // The room is still up while the demo waits: a real client gets the page and its policy.
  const auto page = run({"curl", "-sS", "--max-time", "20", url});
  EXPECT_EQ(page.exit_code, 0) << page.err;
  EXPECT_NE(page.out.find("id=\"join-form\""), std::string::npos);
  const auto head = run({"curl", "-sSI", "--max-time", "20", url});
  EXPECT_NE(head.out.find("Content-Security-Policy: default-src 'none'"), std::string::npos)
      << head.out;
  terminal.keys({"Enter"});
  EXPECT_TRUE(terminal.wait_for_text("demo-exit=0", 120s)) << terminal.screen();
}

}  // namespace
}  // namespace soket::test
