// A real terminal for tests of what soket does on one: a tmux server of the test's own (-L
// names a private socket, so nothing lands on the user's), one session running a command,
// its screen read back with capture-pane. Ended, and its socket file removed, on destruction.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace soket::test {

class TmuxTerminal {
 public:
  // False when tmux is missing here: the caller skips its test then.
  static bool available();

  explicit TmuxTerminal(std::string name);
  ~TmuxTerminal();
  TmuxTerminal(const TmuxTerminal&) = delete;
  TmuxTerminal& operator=(const TmuxTerminal&) = delete;

  // Runs `command` through the shell in a terminal of `columns` x `rows`.
  bool start(const std::string& command, int columns, int rows);
  void keys(std::vector<std::string> names);  // Key names as tmux send-keys takes them.
  void type(const std::string& text);         // Literal text.
  std::string screen() const;
  // Polls the screen until `ok` holds, for at most `wait`.
  bool wait_for(const std::function<bool(const std::string& screen)>& ok,
                std::chrono::milliseconds wait = std::chrono::seconds(20)) const;
  bool wait_for_text(const std::string& text,
                     std::chrono::milliseconds wait = std::chrono::seconds(20)) const;

 private:
  std::vector<std::string> command(std::vector<std::string> args) const;

  std::string socket_;
  std::string session_;
};

// The screen's last line that is not blank, without its trailing blanks.
std::string last_nonblank_line(const std::string& screen);

}  // namespace soket::test
