#include "reactor/signal_watcher.h"

#include <signal.h>
#include <sys/signalfd.h>

#include <system_error>

namespace soket::reactor {
namespace {

sigset_t termination_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

void block_termination_signals() {
  const sigset_t set = termination_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

SignalWatcher::SignalWatcher(EventLoop& loop, Callback callback)
    : loop_(loop), callback_(std::move(callback)) {
  const sigset_t set = termination_signals();
  fd_.reset(::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!fd_.valid()) throw std::system_error(last_system_error(), "signalfd");
  if (auto r = loop_.watch(fd_.get(), EPOLLIN, this); !r) {
    throw std::system_error(r.error(), "epoll_ctl(signalfd)");
  }
}

SignalWatcher::~SignalWatcher() {
  loop_.unwatch(fd_.get());
}

void SignalWatcher::on_io(std::uint32_t) noexcept {
  signalfd_siginfo info;
  while (::read(fd_.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
    callback_(static_cast<int>(info.ssi_signo));
  }
}

}  // namespace soket::reactor
