#include "support/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace soket::test {
namespace {

using Clock = std::chrono::steady_clock;

int ms_left(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

}  // namespace

ChildProcess::ChildProcess(std::vector<std::string> argv, bool pipe_stdin,
                           std::vector<std::string> environment) {
  int in[2] = {-1, -1}, out[2], err[2];
  if ((pipe_stdin && ::pipe2(in, O_CLOEXEC) != 0) || ::pipe2(out, O_CLOEXEC) != 0 ||
      ::pipe2(err, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe2 failed");
  }
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    if (pipe_stdin) {
      ::dup2(in[0], STDIN_FILENO);
    } else {
      const int null_fd = ::open("/dev/null", O_RDONLY);
      ::dup2(null_fd, STDIN_FILENO);
    }
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(err[1], STDERR_FILENO);
    for (auto& entry : environment) ::putenv(entry.data());
    std::vector<char*> args;
    for (auto& arg : argv) args.push_back(arg.data());
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    std::fprintf(stderr, "exec %s: %s\n", args[0], std::strerror(errno));
    ::_exit(127);
  }
  if (pipe_stdin) {
    ::close(in[0]);
    stdin_ = in[1];
  }
  ::close(out[1]);
  ::close(err[1]);
  stdout_ = out[0];
  stderr_ = err[0];
  pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
}

ChildProcess::~ChildProcess() {
  if (!exit_code_) {
    ::kill(pid_, SIGKILL);  // Our own child, by its PID.
    int status;
    ::waitpid(pid_, &status, 0);
  }
  for (int fd : {stdin_, stdout_, stderr_, pidfd_}) {
    if (fd >= 0) ::close(fd);
  }
}

bool ChildProcess::pump(std::chrono::milliseconds timeout) {
  pollfd fds[2] = {{stdout_, POLLIN, 0}, {stderr_, POLLIN, 0}};
  if (stdout_ < 0 && stderr_ < 0) return false;
  if (::poll(fds, 2, static_cast<int>(timeout.count())) <= 0) return true;
  char chunk[65536];
  for (int i = 0; i < 2; ++i) {
    if (fds[i].revents == 0) continue;
    int& fd = i == 0 ? stdout_ : stderr_;
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n > 0) {
      (i == 0 ? out_ : err_).append(chunk, static_cast<std::size_t>(n));
    } else {
      ::close(fd);
      fd = -1;
    }
  }
  return stdout_ >= 0 || stderr_ >= 0;
}

std::optional<std::string> ChildProcess::wait_for_line(std::string_view needle,
                                                       std::chrono::milliseconds timeout) {
  return wait_for(out_, needle, timeout);
}

std::optional<std::string> ChildProcess::wait_for_stderr_line(std::string_view needle,
                                                              std::chrono::milliseconds timeout) {
  return wait_for(err_, needle, timeout);
}

std::optional<std::string> ChildProcess::wait_for(const std::string& text, std::string_view needle,
                                                  std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::size_t start = 0;
  for (;;) {
    for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
      const std::string line = text.substr(start, end - start);
      if (line.find(needle) != std::string::npos) return line;
    }
    if (Clock::now() >= deadline) return std::nullopt;
    if (!pump(std::chrono::milliseconds(ms_left(deadline))) &&
        text.find('\n', start) == std::string::npos) {
      return std::nullopt;
    }
  }
}

void ChildProcess::write_stdin(std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(stdin_, text.data(), text.size());
    if (n <= 0) return;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

void ChildProcess::close_stdin() {
  if (stdin_ >= 0) ::close(stdin_);
  stdin_ = -1;
}

void ChildProcess::send_signal(int signal_number) {
  if (!exit_code_) ::kill(pid_, signal_number);
}

std::optional<int> ChildProcess::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!exit_code_) {
    int status = 0;
    const pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    if (Clock::now() >= deadline) return std::nullopt;
    // Wake on output or on the child's exit (the pidfd turns readable), whichever is first.
    pollfd fds[3] = {{stdout_, POLLIN, 0}, {stderr_, POLLIN, 0}, {pidfd_, POLLIN, 0}};
    ::poll(fds, 3, std::min(ms_left(deadline), pidfd_ >= 0 ? 1000 : 10));
    pump(std::chrono::milliseconds(0));
  }
  // Collect what is left in the pipes (bounded: the writer is gone).
  while (pump(std::chrono::milliseconds(ms_left(deadline + 2s)))) {
  }
  return exit_code_;
}

RunResult run(std::vector<std::string> argv, std::string_view input,
              std::chrono::milliseconds timeout, std::vector<std::string> environment) {
  ChildProcess child(std::move(argv), /*pipe_stdin=*/true, std::move(environment));
  child.write_stdin(input);
  child.close_stdin();
  const auto code = child.wait_exit(timeout);
  return RunResult{code.value_or(-1), child.out(), child.err()};
}

std::string soket_binary() {
  return SOKET_BINARY;
}

int port_of(const std::string& listening_line) {
  const auto colon = listening_line.rfind(':');
  return std::atoi(listening_line.c_str() + colon + 1);
}

}  // namespace soket::test

#include <gtest/gtest.h>

#include "support/test_backend.h"

namespace soket::test {

StartedServer start_soket_server(std::vector<std::string> args) {
  args = with_test_backend(std::move(args));
  auto argv = args;
  argv.insert(argv.begin(), soket_binary());
  StartedServer server;
  server.process = std::make_unique<ChildProcess>(std::move(argv));
  auto line = server.process->wait_for_line("listening on", 10s);
  EXPECT_TRUE(line.has_value()) << "no listening line; stderr: " << server.process->err();
  if (line) {
    server.line = *line;
    server.port = port_of(*line);
    expect_backend_ran(*server.process, args);
  }
  return server;
}

}  // namespace soket::test
