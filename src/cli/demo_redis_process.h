// A redis-server of the demo's own: started on a free loopback port with nothing saved to
// disk, and stopped (SIGTERM, by its PID) when this object goes.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace soket::cli::demo {

class RedisProcess {
 public:
  RedisProcess() = default;
  ~RedisProcess();
  RedisProcess(const RedisProcess&) = delete;
  RedisProcess& operator=(const RedisProcess&) = delete;

  // Starts it and waits (bounded) until it answers PING; "" on success, else why not.
  std::string start();
  std::uint16_t port() const { return port_; }

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace soket::cli::demo
