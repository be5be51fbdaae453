// RedisServer: Debian's redis-server, started by a test on a free loopback port with no
// persistence (nothing is written to disk), waited for until it says it is ready, and
// stopped by its PID. It can be stopped and started again on the same port, as an outage.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "support/child_process.h"

namespace soket::test {

class RedisServer {
 public:
  // `host` is where it binds; `wrapper` runs before it (e.g. {"ip", "netns", "exec", "ns"}).
  explicit RedisServer(std::string host = "127.0.0.1", std::vector<std::string> wrapper = {});
  ~RedisServer();

  // Why the tests cannot run here (redis-server missing), or "".
  static std::string unavailable();

  // Starts it (again); false if it never said it was ready.
  bool start();
  void stop();    // SIGTERM, then waits for the exit.
  void pause();   // SIGSTOP: it holds its sockets and answers nothing.
  void resume();  // SIGCONT.
  bool running() const { return process_ != nullptr; }
  int port() const { return port_; }
  std::string url() const;
  // Runs redis-cli against it with `words`; its stdout.
  std::string cli(const std::vector<std::string>& words) const;
  // Runs redis-cli with `commands` on its stdin, one per line ('...' quotes a word).
  std::string cli_script(const std::string& commands) const;

 private:
  std::string host_;
  std::vector<std::string> wrapper_;
  int port_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace soket::test
