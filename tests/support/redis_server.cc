#include "support/redis_server.h"

#include <signal.h>

#include "support/free_port.h"

namespace soket::test {
RedisServer::RedisServer(std::string host, std::vector<std::string> wrapper)
    : host_(std::move(host)), wrapper_(std::move(wrapper)), port_(free_port()) {}

RedisServer::~RedisServer() {
  stop();
}

std::string RedisServer::unavailable() {
  if (run({"redis-server", "--version"}).exit_code != 0) return "redis-server is not installed";
  return "";
}

bool RedisServer::start() {
  std::vector<std::string> argv = wrapper_;
  const std::vector<std::string> redis = {
      "redis-server", "--port", std::to_string(port_), "--bind", host_,        "--save", "",
      "--appendonly", "no",     "--protected-mode",    "no",     "--loglevel", "notice"};
  argv.insert(argv.end(), redis.begin(), redis.end());
  process_ = std::make_unique<ChildProcess>(argv);
  if (process_->wait_for_line("Ready to accept connections", 20s)) return true;
  process_.reset();
  return false;
}

void RedisServer::stop() {
  if (!process_) return;
  process_->send_signal(SIGCONT);  // A paused server cannot act on SIGTERM.
  process_->send_signal(SIGTERM);
  process_->wait_exit(20s);
  process_.reset();
}

void RedisServer::pause() {
  if (process_) process_->send_signal(SIGSTOP);
}

void RedisServer::resume() {
  if (process_) process_->send_signal(SIGCONT);
}

std::string RedisServer::url() const {
  return "redis://" + host_ + ":" + std::to_string(port_);
}

std::string RedisServer::cli(const std::vector<std::string>& words) const {
  std::vector<std::string> argv = wrapper_;
  const std::vector<std::string> cli = {"redis-cli", "-h", host_, "-p", std::to_string(port_)};
  argv.insert(argv.end(), cli.begin(), cli.end());
  argv.insert(argv.end(), words.begin(), words.end());
  return run(argv).out;
}

std::string RedisServer::cli_script(const std::string& commands) const {
  std::vector<std::string> argv = wrapper_;
  const std::vector<std::string> cli = {"redis-cli", "-h", host_, "-p", std::to_string(port_)};
  argv.insert(argv.end(), cli.begin(), cli.end());
  return run(argv, commands).out;
}

}  // namespace soket::test
