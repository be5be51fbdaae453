// IoHandler: what the event loop calls when a watched fd is ready.
#pragma once

#include <cstdint>

namespace soket::reactor {

class IoHandler {
 public:
  // `events` is the epoll mask (EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP, EPOLLRDHUP).
  // Called on the loop thread; must not throw.
  virtual void on_io(std::uint32_t events) noexcept = 0;

 protected:
  ~IoHandler() = default;
};

}  // namespace soket::reactor
