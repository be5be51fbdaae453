#include "conn/tcp_connection.h"

#include <sys/epoll.h>

#include "conn/connection_table.h"
#include "conn/detail/splice_pipe.h"
#include "core/log.h"
#include "net/socket_ops.h"

namespace soket::conn {
namespace {
// At most this much is read per readiness event: a fast peer cannot starve the others.
constexpr std::size_t kMaxReadPerEvent = 256 * 1024;
constexpr std::uint32_t kEvents = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
// A read this large marks a bulk stream, worth reflecting with splice; a splice this small
// marks its end (for small messages read and send cost less than two splices).
constexpr std::size_t kBulkRead = 64 * 1024;
constexpr std::size_t kSmallSplice = 16 * 1024;
}  // namespace

TcpConnection::TcpConnection(ConnectionTable& owner, net::Fd fd, const net::Address& peer, Id id)
    : owner_(owner), id_(id), fd_(std::move(fd)), peer_(peer), deadlines_(owner.loop().now()) {}

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
  loop().cancel(timer_);
  if (fd_.valid()) loop().unwatch(fd_.get());
}

Result<void> TcpConnection::start() {
  if (auto r = loop().watch(fd_.get(), kEvents, this); !r) return r;
  if (settings().handshake_timeout == Duration::zero()) deadlines_.handshake_done = true;
  arm_timer();
  events().on_open(*this);
  return {};
}

void TcpConnection::on_io(std::uint32_t events) noexcept {
  if ((events & EPOLLERR) != 0) {
    close_now(net::pending_error(fd_.get()));
    return;
  }
  // The peer's FIN may come in the same edge as its last bytes: then a short read does not
  // mean done, and reading goes on to the end of the stream.
  if ((events & (EPOLLRDHUP | EPOLLHUP)) != 0) peer_finished_ = true;
  if (deadlines_.draining) {
    // Any edge may be the one after which the peer has everything (the last ACK) or is gone.
    handle_read();
    return;
  }
  if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) != 0) handle_read();
  if (closed()) return;
  // Both directions are gone: nothing queued can reach the peer any more.
  if ((events & EPOLLHUP) != 0 && (closing_ || paused_by_backpressure_)) {
    close_now(std::make_error_code(std::errc::connection_reset));
    return;
  }
  // A batch waits for the end of the iteration, though edge-triggered epoll reports the
  // socket writable with every input edge.
  if ((events & EPOLLOUT) != 0 && !output_.empty() && !broken_ && !flush_pending_) {
    handle_write(Resume::now);
  }
}

void TcpConnection::handle_read() {
  std::size_t budget = kMaxReadPerEvent;
  if (deadlines_.draining) {
    while (drain_once(budget)) {
    }
    return;
  }
  while (read_once(budget)) {
  }
}

void TcpConnection::note_first_byte() {
  if (!deadlines_.handshake_done && events().handshake_at_first_byte())
    deadlines_.handshake_done = true;
}

void TcpConnection::resume_reading() {
  if (deadlines_.draining) {
    handle_read();
    return;
  }
  // Input a service left when it stopped for back-pressure comes before new bytes (a partial
  // message offered again is left again).
  if (!input_.empty() && !closing_ && !paused_by_backpressure_) {
    events().on_data(*this, input_);
    if (closed()) return;
    if (input_.empty() && input_.capacity() > 0) input_.release();
  }
  if (unread_) handle_read();
}

// One read; true when another may find more.
bool TcpConnection::read_once(std::size_t& budget) {
  if (closing_ || paused_by_backpressure_) {
    unread_ = true;
    return false;
  }
  unread_ = false;
  if (bulk_ && output_.empty() && input_.empty() && events().reflects()) {
    if (auto* pipe = owner_.splice_pipe()) return reflect_once(*pipe, budget);
  }
  const std::size_t asked = input_.read_window(budget);
  auto got = input_.read_from_fd(fd_.get(), budget);
  if (!got) {
    if (!net::is_would_block(got.error())) close_now(got.error());
    return false;
  }
  if (*got == 0) {
    // The peer will send no more. Answer what it sent, then close: the echo of the last
    // bytes must not be lost because the client half-closed (nc -N, shutdown(SHUT_WR)).
    events().on_peer_closed(*this, input_);
    close_after_flush();
    return false;
  }
  bytes_in_ += *got;
  deadlines_.last_active = loop().now();
  note_first_byte();
  bulk_ = *got >= kBulkRead;
  events().on_data(*this, input_);
  if (closed()) return false;
  // Whatever the service left in input_ waits for more bytes; an empty buffer gives its
  // memory back so that an idle connection costs little.
  if (input_.empty() && input_.capacity() > 0) input_.release();
  if (*got < asked && !peer_finished_) return false;  // Drained: a new arrival, a new edge.
  return spend(budget, *got);
}

// Takes `used` from the event's budget; once it is spent, reading resumes after the other
// connections had their turn. True while there is budget left.
bool TcpConnection::spend(std::size_t& budget, std::size_t used) {
  budget -= std::min(budget, used);
  if (budget > 0) return true;
  unread_ = true;
  owner_.resume_later(id_);
  return false;
}

// socket -> pipe -> same socket, all in the kernel. What the socket will not take now is
// copied out of the pipe into output_, so the pipe is empty again for the next connection.
// A short splice need not mean the socket is drained (the pipe fills by pages, not bytes),
// so this reads until would-block.
bool TcpConnection::reflect_once(detail::SplicePipe& pipe, std::size_t& budget) {
  auto in = pipe.fill_from(fd_.get(), std::min(budget, pipe.capacity()));
  if (!in) {
    if (!net::is_would_block(in.error())) close_now(in.error());
    return false;
  }
  if (*in == 0) {
    events().on_peer_closed(*this, input_);
    close_after_flush();
    return false;
  }
  bytes_in_ += *in;
  deadlines_.last_active = loop().now();
  note_first_byte();
  std::size_t out = 0;
  while (out < *in) {
    auto moved = pipe.drain_to(fd_.get(), *in - out);
    if (!moved || *moved == 0) break;
    out += *moved;
  }
  bytes_out_ += out;
  if (out < *in) empty_pipe_into_output(pipe, *in - out);
  // Only after a failure is anything left; it is this connection's, and it goes now.
  if (pipe.held() > 0) (void)pipe.discard_leftover();
  if (closed()) return false;
  if (*in < kSmallSplice) bulk_ = false;
  return spend(budget, *in);
}

void TcpConnection::empty_pipe_into_output(detail::SplicePipe& pipe, std::size_t count) {
  std::byte chunk[64 * 1024];
  while (count > 0) {
    auto got = pipe.read_into(chunk, std::min(count, sizeof chunk));
    if (!got || *got == 0) break;  // Cannot happen with bytes in the pipe; never spin.
    if (!output_.append(std::span<const std::byte>(chunk, *got))) {
      close_now(std::make_error_code(std::errc::not_enough_memory));
      return;
    }
    count -= *got;
  }
  if (output_.size() >= settings().output_high_water) paused_by_backpressure_ = true;
}

void TcpConnection::send(std::span<const std::byte> bytes) {
  if (closed() || broken_ || bytes.empty()) return;
  const bool batched = events().batches_sends();
  const bool was_empty = output_.empty();
  if (was_empty && !batched) {
    auto written = net::try_write(fd_.get(), bytes);
    if (!written && !net::is_would_block(written.error())) {
      fail_later(written.error());
      return;
    }
    const std::size_t done = written ? *written : 0;
    bytes_out_ += done;
    bytes = bytes.subspan(done);
    if (done > 0) deadlines_.last_active = loop().now();
  }
  if (bytes.empty()) return;
  // The socket is full, or the service batches: the rest waits for the output edge that
  // the socket's draining brings, or for the end of the iteration.
  if (!output_.append(bytes)) {
    // Past the buffer's cap, or out of memory: this connection ends, the server goes on.
    fail_later(std::make_error_code(std::errc::not_enough_memory));
    return;
  }
  if (output_.size() >= settings().output_high_water) paused_by_backpressure_ = true;
  // Output that was already waiting waits for the socket's edge; new output for the batch.
  if (batched && was_empty && !flush_pending_) {
    flush_pending_ = true;
    owner_.flush_later(id_);
  }
  if (flush_pending_) batched_ += bytes.size();
}

void TcpConnection::flush_batched() {
  flush_pending_ = false;
  batched_ = 0;
  if (closed() || broken_ || output_.empty()) return;
  // At the end of the iteration: reading again waits for the next one, as resume_later's.
  handle_write(Resume::later);
}

// Closes at the end of the iteration: the service may be in on_data, iterating over what
// close_now would free. Until then nothing more is sent, so no later bytes go out after a gap.
void TcpConnection::fail_later(std::error_code error) {
  broken_ = true;
  loop().defer([this, error] { close_now(error); });
}

void TcpConnection::handle_write(Resume resume) {
  write_queued();
  if (closed()) return;
  if (output_.empty()) {
    output_.release();
    if (closing_) {
      finish_closing();
      return;
    }
  }
  if (paused_by_backpressure_ && output_.size() < settings().output_high_water / 2) {
    paused_by_backpressure_ = false;
    // What arrived while paused brought no edge of its own.
    if (resume == Resume::now) {
      resume_reading();
    } else {
      owner_.resume_later(id_);
    }
  }
}

void TcpConnection::write_queued() {
  auto written = net::try_write(fd_.get(), output_.readable());
  if (!written) {
    if (!net::is_would_block(written.error())) close_now(written.error());
    return;
  }
  bytes_out_ += *written;
  output_.consume(*written);
  batched_ = std::min(batched_, output_.size());  // Written from the front: the batch is last.
  deadlines_.last_active = loop().now();
}

void TcpConnection::close_after_flush() {
  if (closed() || closing_) return;
  closing_ = true;
  if (output_.empty()) finish_closing();
}

// Everything is flushed: send the FIN, then read (and drop) until the peer's, so that the
// final close finds no unread input and sends no RST that would destroy what the peer has
// not read yet.
void TcpConnection::finish_closing() {
  if (deadlines_.draining || closed()) return;
  if (auto r = net::shutdown_write(fd_.get()); !r) {
    close_now(r.error());
    return;
  }
  deadlines_.draining = true;
  deadlines_.opened = loop().now();
  input_.release();
  loop().cancel(timer_);
  timer_ = {};
  arm_timer();
  // Posted, not run here: the service may be inside on_data, and the drain may close.
  owner_.resume_later(id_);
}

// One read whose bytes are dropped; true when another may find more.
bool TcpConnection::drain_once(std::size_t& budget) {
  std::byte chunk[16 * 1024];
  auto got = net::try_read(fd_.get(), std::span<std::byte>(chunk, std::min(budget, sizeof chunk)));
  if (!got) {
    if (net::is_would_block(got.error())) {
      unread_ = false;
      // Nothing unread, and the peer has acknowledged every byte (only our FIN may be in
      // flight): closing now can cost the peer nothing, so an idle peer is not waited for.
      auto unacknowledged = net::unacknowledged_bytes(fd_.get());
      if (unacknowledged && *unacknowledged <= 1) close_now();
      return false;
    }
    close_now(got.error());
    return false;
  }
  if (*got == 0) {
    close_now();
    return false;
  }
  budget -= std::min(budget, *got);
  if (budget > 0) return true;
  unread_ = true;
  owner_.resume_later(id_);
  return false;
}

void TcpConnection::close_now(std::error_code reason) {
  if (closed()) return;
  loop().cancel(timer_);
  timer_ = {};
  loop().unwatch(fd_.get());
  // Say we are done sending before close, so a peer still sending gets a FIN first.
  (void)net::shutdown_write(fd_.get());
  fd_.reset();
  input_.release();
  output_.release();
  batched_ = 0;
  events().on_close(*this, reason);
  owner_.release(id_);
}

void TcpConnection::arm_timer() {
  if (auto deadline = deadlines_.next(settings())) {
    timer_ = loop().run_at(*deadline, [this] { on_timer(); });
  }
}

void TcpConnection::on_timer() {
  timer_ = {};
  if (auto why = deadlines_.passed(loop().now(), settings())) {
    log::info("{} {}", peer_.to_string(), *why);
    close_now(std::make_error_code(std::errc::timed_out));
    return;
  }
  arm_timer();
}

}  // namespace soket::conn
