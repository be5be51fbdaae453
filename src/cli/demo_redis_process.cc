#include "cli/demo_redis_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>
#include <vector>

#include "net/socket_ops.h"
#include "redis/probe.h"

extern char** environ;

namespace soket::cli::demo {
namespace {

constexpr int kReadyAttempts = 100;  // 100 x 50 ms: 5 s for redis-server to answer.

// A port that nobody holds now (the kernel's pick, released for redis-server to bind).
std::uint16_t free_port() {
  auto listener = net::open_listener(*net::Address::parse("127.0.0.1", 0), {}, 1);
  if (!listener) return 0;
  auto address = net::local_address(listener->get());
  return address ? address->port() : 0;
}

}  // namespace

RedisProcess::~RedisProcess() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < kReadyAttempts; ++i) {  // Bounded: then it is killed.
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
}

std::string RedisProcess::start() {
  port_ = free_port();
  if (port_ == 0) return "no free port on 127.0.0.1";
  const std::string port = std::to_string(port_);
  std::vector<std::string> words = {
      "redis-server", "--port", port,        "--bind", "127.0.0.1",  "--save", "",
      "--appendonly", "no",     "--logfile", "",       "--loglevel", "warning"};
  std::vector<char*> argv;
  for (auto& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  // Its own log would interleave with the tour: to /dev/null (opened for it, not written by us).
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  const int spawned =
      ::posix_spawnp(&pid_, "redis-server", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    pid_ = -1;
    return "cannot start redis-server (install it: apt-get install redis-server)";
  }
  for (int i = 0; i < kReadyAttempts; ++i) {
    if (!redis::probe("127.0.0.1", port_, 0, std::chrono::milliseconds(200))) return "";
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return "redis-server exited at once";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return "redis-server did not answer within 5 s";
}

}  // namespace soket::cli::demo
