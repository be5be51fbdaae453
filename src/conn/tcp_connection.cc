#include "conn/tcp_connection.h"

#include <sys/epoll.h>

#include "conn/connection_table.h"
#include "core/log.h"
#include "net/socket_ops.h"

namespace soket::conn {
namespace {
// One read per readiness event, at most this much: a fast peer cannot starve the others.
constexpr std::size_t kMaxReadPerEvent = 256 * 1024;
}  // namespace

TcpConnection::TcpConnection(ConnectionTable& owner, net::Fd fd, const net::Address& peer, Id id)
    : owner_(owner), id_(id), fd_(std::move(fd)), peer_(peer), last_active_(owner.loop().now()) {}

reactor::EventLoop& TcpConnection::loop() const {
  return owner_.loop();
}
ConnectionEvents& TcpConnection::events() const {
  return owner_.events();
}
const ConnectionSettings& TcpConnection::settings() const {
  return owner_.settings();
}

TcpConnection::~TcpConnection() {
  loop().cancel(idle_timer_);
  if (fd_.valid()) loop().unwatch(fd_.get());
}

Result<void> TcpConnection::start() {
  interest_ = EPOLLIN;
  if (auto r = loop().watch(fd_.get(), interest_, this); !r) return r;
  if (settings().idle_timeout > Duration::zero()) {
    arm_idle_timer(loop().now() + settings().idle_timeout);
  }
  events().on_open(*this);
  return {};
}

void TcpConnection::on_io(std::uint32_t events) noexcept {
  if ((events & EPOLLERR) != 0) {
    close_now(net::pending_error(fd_.get()));
    return;
  }
  if ((events & (EPOLLIN | EPOLLHUP)) != 0) handle_read();
  if (closed()) return;
  // A hang-up is reported whatever we ask for. While we are not reading (closing, or paused
  // by back-pressure) it would fire again and again, and nothing more can reach the peer.
  if ((events & EPOLLHUP) != 0 && (closing_ || paused_by_backpressure_)) {
    close_now(std::make_error_code(std::errc::connection_reset));
    return;
  }
  if ((events & EPOLLOUT) != 0) handle_write();
}

void TcpConnection::handle_read() {
  if (closing_ || paused_by_backpressure_) return;
  auto got = input_.read_from_fd(fd_.get(), kMaxReadPerEvent);
  if (!got) {
    if (!net::is_would_block(got.error())) close_now(got.error());
    return;
  }
  if (*got == 0) {
    // The peer will send no more. Answer what it sent, then close: the echo of the last
    // bytes must not be lost because the client half-closed (nc -N, shutdown(SHUT_WR)).
    events().on_peer_closed(*this, input_);
    close_after_flush();
    return;
  }
  bytes_in_ += *got;
  last_active_ = loop().now();
  events().on_data(*this, input_);
  // Whatever the service left in input_ waits for more bytes; an empty buffer gives its
  // memory back so that an idle connection costs little.
  if (input_.empty() && input_.capacity() > 0) input_.release();
}

void TcpConnection::send(std::span<const std::byte> bytes) {
  if (closed() || bytes.empty()) return;
  if (output_.empty()) {
    auto written = net::try_write(fd_.get(), bytes);
    if (!written && !net::is_would_block(written.error())) {
      // Defer: the service may be in on_data, iterating over what we would free.
      loop().defer([this, error = written.error()] { close_now(error); });
      return;
    }
    const std::size_t done = written ? *written : 0;
    bytes_out_ += done;
    bytes = bytes.subspan(done);
    if (done > 0) last_active_ = loop().now();
  }
  if (bytes.empty()) return;
  output_.append(bytes);
  if (output_.size() >= settings().output_high_water) paused_by_backpressure_ = true;
  update_interest();
}

void TcpConnection::handle_write() {
  write_queued();
  if (closed()) return;
  if (output_.empty()) {
    output_.release();
    paused_by_backpressure_ = false;
    if (closing_) {
      close_now();
      return;
    }
  } else if (output_.size() < settings().output_high_water / 2) {
    paused_by_backpressure_ = false;
  }
  update_interest();
}

void TcpConnection::write_queued() {
  auto written = net::try_write(fd_.get(), output_.readable());
  if (!written) {
    if (!net::is_would_block(written.error())) close_now(written.error());
    return;
  }
  bytes_out_ += *written;
  output_.consume(*written);
  last_active_ = loop().now();
}

void TcpConnection::update_interest() {
  std::uint32_t wanted = 0;
  if (!closing_ && !paused_by_backpressure_) wanted |= EPOLLIN;
  if (!output_.empty()) wanted |= EPOLLOUT;
  if (wanted == interest_) return;
  interest_ = wanted;
  if (auto r = loop().modify(fd_.get(), interest_); !r) close_now(r.error());
}

void TcpConnection::close_after_flush() {
  if (closed()) return;
  closing_ = true;
  if (output_.empty()) {
    close_now();
  } else {
    update_interest();
  }
}

void TcpConnection::close_now(std::error_code reason) {
  if (closed()) return;
  loop().cancel(idle_timer_);
  idle_timer_ = {};
  loop().unwatch(fd_.get());
  // Say we are done sending before close, so a peer still sending gets a FIN first.
  (void)net::shutdown_write(fd_.get());
  fd_.reset();
  input_.release();
  output_.release();
  events().on_close(*this, reason);
  owner_.release(id_);
}

void TcpConnection::arm_idle_timer(TimePoint deadline) {
  idle_timer_ = loop().run_at(deadline, [this] { on_idle_timer(); });
}

void TcpConnection::on_idle_timer() {
  idle_timer_ = {};
  // Activity does not touch the timer (that would cost a tree update per message); the timer
  // checks the last activity when it fires and re-arms itself for the remainder.
  const TimePoint deadline = last_active_ + settings().idle_timeout;
  if (loop().now() < deadline) {
    arm_idle_timer(deadline);
    return;
  }
  log::info("{} idle for {} ms: closing", peer_.to_string(),
            std::chrono::duration_cast<std::chrono::milliseconds>(settings().idle_timeout).count());
  close_now(std::make_error_code(std::errc::timed_out));
}

}  // namespace soket::conn
