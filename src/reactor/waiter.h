// Waiter: an I/O engine that blocks the loop in place of epoll_wait, for completions that do
// not arrive through epoll (io_uring). With one installed, each iteration makes one blocking
// call, the waiter's, which also ends when the loop's epoll set has something ready; the loop
// then collects that with a non-blocking epoll_wait only when told to. An engine that sat
// in the epoll set instead would cost an epoll_wait and its own syscall every iteration.
#pragma once

namespace soket::reactor {

class Waiter {
 public:
  // Blocks for at most `timeout_ms` (-1: no limit, 0: not at all) until the waiter has
  // completions or `epoll_fd` is readable, submitting what the last iteration queued.
  virtual void wait(int epoll_fd, int timeout_ms) noexcept = 0;
  // Handles the completions the wait collected. Returns whether the epoll set may have
  // ready events for the loop to collect.
  virtual bool dispatch() noexcept = 0;

 protected:
  ~Waiter() = default;
};

}  // namespace soket::reactor
