#include "conn/uring_connection.h"

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <new>
#include <utility>

#include "conn/uring_connections.h"
#include "core/log.h"
#include "net/socket_ops.h"

namespace soket::conn {
namespace {
// While draining, how often to look whether the peer already has everything (then closing
// costs it nothing, and an idle peer is not waited for until the drain timeout).
constexpr Duration kDrainCheck = std::chrono::milliseconds(25);
}  // namespace

UringConnection::UringConnection(UringConnections& owner, int fd, const net::Address& peer, Id id,
                                 std::uint32_t slot)
    : owner_(owner), id_(id), fd_(fd), slot_(slot), peer_(peer), deadlines_(owner.loop().now()) {}

UringConnection::~UringConnection() {
  owner_.loop().cancel(timer_);
  if (fd_ < 0) return;
  // Say we are done sending before close, so a peer still sending gets a FIN first.
  if (!shut_down_) ::shutdown(fd_, SHUT_WR);
  ::close(fd_);
}

void UringConnection::start() {
  if (owner_.settings().handshake_timeout == Duration::zero()) deadlines_.handshake_done = true;
  arm_timer();
  owner_.events().on_open(*this);
  mark();
}

void UringConnection::mark() {
  owner_.mark(slot_);
}

bool UringConnection::wants_receive() const {
  if (receiving_ || closed_ || peer_done_) return false;
  // Once our FIN is out, input is read only to be dropped, until the peer's FIN.
  return write_shut_ || (!paused_ && !closing_);
}

std::uint32_t UringConnection::receive_size(std::size_t buffer_size) const {
  const std::size_t limit = owner_.settings().output_high_water;
  std::size_t size = buffer_size;
  if (!write_shut_ && output_.size() < limit) size = std::min(size, limit - output_.size());
  return static_cast<std::uint32_t>(size);  // Past write_shut_ input is read only to be dropped.
}

bool UringConnection::wants_send() const {
  return !sending_ && !closed_ && !write_shut_ && !output_.empty();
}

std::size_t UringConnection::queued_output() const {
  const std::size_t fresh = fresh_stamp_ == owner_.submits() ? fresh_output_ : 0;
  return output_.size() > fresh ? output_.size() - fresh : 0;
}

void UringConnection::send(std::span<const std::byte> bytes) {
  if (closed_ || write_shut_ || failure_ || bytes.empty()) return;
  try {
    output_.append(bytes.data(), bytes.size());
  } catch (const std::bad_alloc&) {
    // This connection ends, not the server; later, in settle(): the service may be inside a
    // call that closing now would pull the member from under (as epoll's fail_later).
    failure_ = std::make_error_code(std::errc::not_enough_memory);
    mark();
    return;
  }
  if (fresh_stamp_ != owner_.submits()) {
    fresh_stamp_ = owner_.submits();
    fresh_output_ = 0;
  }
  fresh_output_ += bytes.size();
  if (output_.size() >= owner_.settings().output_high_water) paused_ = true;
  mark();
}

void UringConnection::close_after_flush() {
  if (closed_ || closing_) return;
  closing_ = true;
  mark();
}

void UringConnection::close_now(std::error_code reason) {
  if (closed_) return;
  closed_ = true;
  owner_.loop().cancel(timer_);
  timer_ = {};
  input_.release();
  owner_.events().on_close(*this, reason);
  mark();  // Released by the owner once the kernel holds no operation of it.
}

void UringConnection::on_received(std::span<const std::byte> bytes) {
  if (!take_input(bytes.size())) return;
  if (!input_.append(bytes)) {
    close_now(std::make_error_code(std::errc::not_enough_memory));
    return;
  }
  if (!paused_) offer_input();
}

// The receive has ended with `size` bytes; false when they are to be dropped (shut down for
// writing, draining, closing, or closed).
bool UringConnection::take_input(std::size_t size) {
  receiving_ = false;
  starved_rounds_ = 0;
  mark();
  if (closed_ || closing_ || write_shut_) return false;
  bytes_in_ += size;
  deadlines_.last_active = owner_.loop().now();
  if (!deadlines_.handshake_done && owner_.events().handshake_at_first_byte()) {
    deadlines_.handshake_done = true;
  }
  return true;
}

bool UringConnection::can_reflect() const {
  return !closed_ && !closing_ && !write_shut_ && !paused_ && !sending_ && !failure_ &&
         input_.empty() && output_.empty();
}

void UringConnection::on_reflecting(std::size_t size) {
  static_cast<void>(take_input(size));  // can_reflect() held: the bytes are taken.
  sending_ = true;
}

void UringConnection::on_reflected(int result, std::span<const std::byte> bytes) {
  sending_ = false;
  mark();
  if (closed_) return;
  if (result == -EAGAIN) result = 0;  // The socket had no room: every byte queues.
  if (result < 0) {
    close_now(std::error_code(-result, std::system_category()));  // EPIPE, ECONNRESET.
    return;
  }
  bytes_out_ += static_cast<std::uint64_t>(result);
  if (result > 0) deadlines_.last_active = owner_.loop().now();
  send(bytes.subspan(static_cast<std::size_t>(result)));  // Copied: the buffer goes back.
}

// Hands the service what it has not consumed; an emptied buffer gives its memory back so that
// an idle connection costs little.
void UringConnection::offer_input() {
  owner_.events().on_data(*this, input_);
  if (closed_) return;
  if (input_.empty() && input_.capacity() > 0) input_.release();
}

void UringConnection::on_receive_ended(int result) {
  receiving_ = false;
  mark();
  if (closed_) return;
  if (result == 0) {
    peer_done_ = true;
    if (write_shut_) {
      close_now();  // Both FINs are out: the polite end is complete.
      return;
    }
    // A receive armed before a pause may bring the FIN: the input left at the pause must
    // reach the service first, as on epoll, which reads nothing while paused.
    if (paused_ && !input_.empty()) {
      end_pending_ = true;
      return;
    }
    on_end_of_stream();
    return;
  }
  // No buffer was free in this batch, or the wait was interrupted: armed again at the next
  // update (first, if starved), once this dispatch has given its buffers back.
  if (result == -ENOBUFS) {
    if (starved_rounds_ < UINT16_MAX) ++starved_rounds_;
    return;
  }
  starved_rounds_ = 0;
  if (result == -EINTR || result == -EAGAIN || result == -ECANCELED) return;
  close_now(std::error_code(-result, std::system_category()));
}

void UringConnection::on_sent(int result) {
  sending_ = false;
  mark();
  if (closed_) return;
  if (result < 0) {
    close_now(std::error_code(-result, std::system_category()));  // EPIPE, ECONNRESET.
    return;
  }
  output_.consumed(static_cast<std::size_t>(result));
  bytes_out_ += static_cast<std::uint64_t>(result);
  deadlines_.last_active = owner_.loop().now();
  if (paused_ && output_.size() <= owner_.settings().output_high_water / 2) {
    paused_ = false;
    // Input left when reading stopped comes before new bytes, and before a FIN that came.
    if (!input_.empty() && !closing_) offer_input();
    if (std::exchange(end_pending_, false) && !closed_) on_end_of_stream();
  }
}

// Answer what the peer sent, then close: the reply to its last bytes must not be lost because
// it half-closed (nc -N, shutdown(SHUT_WR)).
void UringConnection::on_end_of_stream() {
  if (closing_) return;
  owner_.events().on_peer_closed(*this, input_);
  close_after_flush();
}

bool UringConnection::settle() {
  if (failure_ && !closed_) close_now(failure_);
  if (!closed_ && closing_ && !write_shut_ && !sending_ && output_.empty()) {
    if (peer_done_) {
      close_now();  // The peer's FIN came and everything is flushed: nothing is left.
    } else {
      start_drain();
    }
  }
  if (!closed_) return false;
  if (operations == 0) return true;
  // Ends the receive (and a send) the kernel still holds; their completions follow.
  if (!shut_down_) ::shutdown(fd_, SHUT_RDWR);
  shut_down_ = true;
  return false;
}

// Everything is flushed: send the FIN, then read (and drop) until the peer's, so that the
// final close finds no unread input and sends no RST that would destroy what the peer has not
// read yet.
void UringConnection::start_drain() {
  if (auto r = net::shutdown_write(fd_); !r) {
    close_now(r.error());
    return;
  }
  write_shut_ = true;
  input_.release();
  deadlines_.draining = true;
  deadlines_.opened = owner_.loop().now();
  owner_.loop().cancel(timer_);
  timer_ = {};
  if (drained_already()) {
    close_now();
    return;
  }
  arm_timer();
}

// Nothing unread, and the peer has acknowledged every byte (only our FIN may be in flight):
// closing now can cost the peer nothing.
bool UringConnection::drained_already() {
  int unread = 0;
  if (::ioctl(fd_, FIONREAD, &unread) != 0 || unread > 0) return false;
  auto unacknowledged = net::unacknowledged_bytes(fd_);
  return unacknowledged && *unacknowledged <= 1;
}

void UringConnection::arm_timer() {
  auto deadline = deadlines_.next(owner_.settings());
  if (deadlines_.draining) {
    const TimePoint check = owner_.loop().now() + kDrainCheck;
    if (!deadline || check < *deadline) deadline = check;
  }
  if (deadline) timer_ = owner_.loop().run_at(*deadline, [this] { on_timer(); });
}

void UringConnection::on_timer() {
  timer_ = {};
  if (closed_) return;
  if (auto why = deadlines_.passed(owner_.loop().now(), owner_.settings())) {
    log::info("{} {}", peer_.to_string(), *why);
    close_now(std::make_error_code(std::errc::timed_out));
    return;
  }
  if (deadlines_.draining && drained_already()) {
    close_now();
    return;
  }
  arm_timer();
}

}  // namespace soket::conn
