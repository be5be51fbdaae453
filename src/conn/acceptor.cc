#include "conn/acceptor.h"

#include <fcntl.h>
#include <sys/epoll.h>

#include "core/log.h"
#include "net/socket_ops.h"

namespace soket::conn {
namespace {
// Accept at most this many per readiness event, then let the other fds have a turn.
constexpr int kMaxAcceptsPerEvent = 64;

net::Fd open_spare() {
  return net::Fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
}
}  // namespace

Acceptor::Acceptor(reactor::EventLoop& loop, int listener, bool shared, OnAccept on_accept)
    : loop_(loop),
      listener_(listener),
      shared_(shared),
      on_accept_(std::move(on_accept)),
      spare_(open_spare()) {}

Acceptor::~Acceptor() {
  stop();
}

Result<void> Acceptor::start() {
  const std::uint32_t events = shared_ ? (EPOLLIN | EPOLLEXCLUSIVE) : EPOLLIN;
  if (auto r = loop_.watch(listener_, events, this); !r) return r;
  watching_ = true;
  return {};
}

void Acceptor::stop() {
  if (watching_) loop_.unwatch(listener_);
  watching_ = false;
}

void Acceptor::on_io(std::uint32_t) noexcept {
  for (int i = 0; i < kMaxAcceptsPerEvent; ++i) {
    auto accepted = net::try_accept(listener_);
    if (accepted) {
      on_accept_(std::move(accepted->fd), accepted->peer);
      continue;
    }
    const auto& error = accepted.error();
    if (net::is_would_block(error)) return;
    if (error == std::errc::too_many_files_open ||
        error == std::errc::too_many_files_open_in_system) {
      shed_one();
      return;
    }
    // ECONNABORTED and friends: that one connection died in the queue; go on with the next.
    if (error == std::errc::connection_aborted || error == std::errc::protocol_error) continue;
    log::warn("accept failed: {}; will retry on the next event", error.message());
    return;
  }
}

void Acceptor::shed_one() {
  log::warn("out of file descriptors: refusing a connection (raise ulimit -n or --max-conns)");
  spare_.reset();
  if (auto accepted = net::try_accept(listener_)) {
    // Closing at once tells the client we are full, instead of leaving it in the queue.
  }
  spare_ = open_spare();
}

}  // namespace soket::conn
