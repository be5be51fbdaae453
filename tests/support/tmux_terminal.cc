#include "support/tmux_terminal.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "support/child_process.h"

namespace soket::test {

using namespace std::chrono_literals;

bool TmuxTerminal::available() {
  return run({"tmux", "-V"}).exit_code == 0;
}

TmuxTerminal::TmuxTerminal(std::string name)
    : socket_("soket-" + name + "-" + std::to_string(::getpid())), session_(std::move(name)) {}

TmuxTerminal::~TmuxTerminal() {
  run(command({"kill-server"}));
  // tmux leaves its socket file behind; -L made it ours alone.
  const char* dir = std::getenv("TMUX_TMPDIR");
  const std::string path = std::string(dir != nullptr ? dir : "/tmp") + "/tmux-" +
                           std::to_string(::getuid()) + "/" + socket_;
  ::unlink(path.c_str());
}

std::vector<std::string> TmuxTerminal::command(std::vector<std::string> args) const {
  args.insert(args.begin(), {"tmux", "-L", socket_});
  return args;
}

bool TmuxTerminal::start(const std::string& shell_command, int columns, int rows) {
  return run(command({"new-session", "-d", "-s", session_, "-x", std::to_string(columns), "-y",
                      std::to_string(rows), shell_command}))
             .exit_code == 0;
}

void TmuxTerminal::keys(std::vector<std::string> names) {
  names.insert(names.begin(), {"send-keys", "-t", session_});
  run(command(std::move(names)));
}

void TmuxTerminal::type(const std::string& text) {
  run(command({"send-keys", "-t", session_, "-l", text}));
}

std::string TmuxTerminal::screen() const {
  return run(command({"capture-pane", "-p", "-t", session_})).out;
}

bool TmuxTerminal::wait_for(const std::function<bool(const std::string&)>& ok,
                            std::chrono::milliseconds wait) const {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ok(screen())) return true;
    std::this_thread::sleep_for(50ms);  // Polling the screen for a condition, bounded.
  }
  return false;
}

bool TmuxTerminal::wait_for_text(const std::string& text, std::chrono::milliseconds wait) const {
  return wait_for([&](const std::string& now) { return now.find(text) != std::string::npos; },
                  wait);
}

std::string last_nonblank_line(const std::string& screen) {
  std::string last;
  std::size_t start = 0;
  for (std::size_t end; (end = screen.find('\n', start)) != std::string::npos; start = end + 1) {
    const std::string line = screen.substr(start, end - start);
    if (line.find_first_not_of(' ') != std::string::npos) last = line;
  }
  return last.substr(0, last.find_last_not_of(' ') + 1);
}

}  // namespace soket::test
