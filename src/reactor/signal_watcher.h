// SignalWatcher: delivers SIGINT and SIGTERM to a loop as ordinary events via signalfd.
//
// block_termination_signals() must run in the main thread before any other thread starts,
// so every thread inherits the blocked mask and the signals wait for the signalfd instead
// of interrupting an arbitrary thread.
#pragma once

#include <functional>

#include "net/fd.h"
#include "reactor/event_loop.h"

namespace soket::reactor {

void block_termination_signals();

class SignalWatcher final : public IoHandler {
 public:
  using Callback = std::function<void(int signal_number)>;
  // Throws std::system_error when the kernel refuses a signalfd: setup, not runtime.
  SignalWatcher(EventLoop& loop, Callback callback);
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

  void on_io(std::uint32_t events) noexcept override;

 private:
  EventLoop& loop_;
  net::Fd fd_;
  Callback callback_;
};

}  // namespace soket::reactor
