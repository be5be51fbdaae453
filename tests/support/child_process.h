// ChildProcess: runs a program with its stdout and stderr captured, for integration tests.
// Nothing here sleeps and hopes: every wait polls the pipes (and a pidfd) up to a deadline.
// The destructor kills the child by its PID if it is still running, and reaps it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace soket::test {

using namespace std::chrono_literals;

class ChildProcess {
 public:
  // `environment` entries ("NAME=value") are added to this process's environment.
  explicit ChildProcess(std::vector<std::string> argv, bool pipe_stdin = false,
                        std::vector<std::string> environment = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // The first stdout line containing `needle` (read up to `timeout`), or nullopt.
  std::optional<std::string> wait_for_line(std::string_view needle,
                                           std::chrono::milliseconds timeout = 10s);
  // The same for stderr, where programs like socat -d -d report their port.
  std::optional<std::string> wait_for_stderr_line(std::string_view needle,
                                                  std::chrono::milliseconds timeout = 10s);
  void write_stdin(std::string_view text);
  void close_stdin();
  void send_signal(int signal_number);
  // The exit code (128 + signal if killed), or nullopt if still running at the timeout.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout = 10s);
  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }

 private:
  // Reads what the pipes have, waiting at most `timeout`; false once both are at EOF.
  bool pump(std::chrono::milliseconds timeout);
  std::optional<std::string> wait_for(const std::string& text, std::string_view needle,
                                      std::chrono::milliseconds timeout);

  pid_t pid_ = -1;
  int pidfd_ = -1;
  int stdin_ = -1, stdout_ = -1, stderr_ = -1;
  std::string out_, err_;
  std::size_t scanned_lines_ = 0;
  std::optional<int> exit_code_;
};

struct RunResult {
  int exit_code = -1;
  std::string out, err;
};
// Runs to completion with `input` on stdin; a child still running at the timeout is killed
// and reported with exit code -1.
RunResult run(std::vector<std::string> argv, std::string_view input = {},
              std::chrono::milliseconds timeout = 20s, std::vector<std::string> environment = {});

// The path of the soket binary under test (set by CMake).
std::string soket_binary();
// The port of a "listening on ADDRESS:PORT (tcp)" line.
int port_of(const std::string& listening_line);

}  // namespace soket::test

namespace soket::test {

// A soket server started with `args` (after the binary), once it printed its first
// `listening on` line; `port` is that line's port. Fails the test if it never does.
struct StartedServer {
  std::unique_ptr<ChildProcess> process;
  int port = 0;
  std::string line;
};
StartedServer start_soket_server(std::vector<std::string> args);

}  // namespace soket::test
