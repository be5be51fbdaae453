#include "conn/uring_echo.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <optional>

#include "core/log.h"

namespace soket::conn {
namespace {

enum Op : std::uint8_t { receive = 1, send = 2, epoll_ready = 3, cancel = 4, teardown = 5 };

// user_data: the operation (top 8 bits) and the connection's slot (low 32).
std::uint64_t pack(Op op, std::uint32_t slot) {
  return (std::uint64_t{op} << 56) | slot;
}
Op op_of(std::uint64_t data) {
  return static_cast<Op>(data >> 56);
}
std::uint32_t slot_of(std::uint64_t data) {
  return static_cast<std::uint32_t>(data & 0xFFFFFFFF);
}
// The last completion of its operation: a multishot receive posts many, flagged MORE but the
// last.
bool is_final(const io_uring_cqe& cqe) {
  return op_of(cqe.user_data) != Op::receive || (cqe.flags & IORING_CQE_F_MORE) == 0;
}

}  // namespace

Result<std::unique_ptr<UringEcho>> UringEcho::create(reactor::EventLoop& loop, Settings settings,
                                                     OnClosed on_closed) {
  std::unique_ptr<UringEcho> echo(new UringEcho(loop, settings, std::move(on_closed)));
  if (auto r = echo->set_up(); !r) return r.error();
  return echo;
}

Result<void> UringEcho::set_up() {
  // A test hook: a tiny ring proves that a full submission queue loses nothing.
  if (const char* forced = std::getenv("SOKET_URING_ENTRIES")) {
    settings_.ring_entries = static_cast<unsigned>(std::clamp(std::atoi(forced), 1, 32768));
  }
  if (auto r = ring_.open(settings_.ring_entries); !r) return r;
  if (auto r = buffers_.register_with(ring_.raw()); !r) return r;
  ring_ready_ = true;
  loop_.set_waiter(this);
  log::debug("serving TCP on io_uring ({} submission entries)", settings_.ring_entries);
  return {};
}

UringEcho::~UringEcho() {
  if (!ring_ready_) return;
  loop_.set_waiter(nullptr);
  reap_everything();  // The ring itself goes with ring_, after this.
  for (auto& c : connections_) {
    if (c.fd < 0) continue;
    loop_.cancel(c.timer);
    ::close(c.fd);
  }
}

// Past the grace period: ends every operation still in flight and waits for the kernel to
// report each one, because a send still running after the ring (and our memory) is gone
// would read freed memory. Shutting a socket down completes its receive and its send; one
// cancel of everything ends the rest (the poll of the epoll fd).
void UringEcho::reap_everything() {
  for (const auto& c : connections_) {
    if (c.fd >= 0) ::shutdown(c.fd, SHUT_RDWR);
  }
  io_uring_sqe* sqe = ring_.try_entry();
  if (sqe == nullptr && ring_.submit()) sqe = ring_.try_entry();
  if (sqe != nullptr) {
    io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY);
    io_uring_sqe_set_data64(sqe, pack(Op::teardown, 0));
    ++in_flight_;
  }
  const auto deadline = Clock::now() + std::chrono::seconds(2);
  while (in_flight_ > 0 && Clock::now() < deadline) {
    ring_.submit_and_wait(100);
    ring_.for_each_completion([this](const io_uring_cqe& cqe) {
      if (is_final(cqe)) --in_flight_;
    });
  }
  if (in_flight_ > 0) log::warn("io_uring: {} operations did not end in time", in_flight_);
}

// The entry for one operation of `slot`, counted as in flight; null when the submission
// queue is full, and the connection is then remembered (revisit_) and armed at the next wait,
// after the kernel has taken the queue (not submitting here keeps each iteration's work in one
// io_uring_enter). The caller sets user_data after its
// prep_ call, which fills the entry.
io_uring_sqe* UringEcho::entry_for(std::uint32_t slot) {
  io_uring_sqe* sqe = ring_.try_entry();
  if (sqe == nullptr) {
    revisit_later(slot);
    return nullptr;
  }
  ++in_flight_;
  ++connections_[slot].operations;
  return sqe;
}

void UringEcho::revisit_later(std::uint32_t slot) {
  if (connections_[slot].revisit) return;
  connections_[slot].revisit = true;
  revisit_.push_back(slot);
}

void UringEcho::revisit_all() {
  std::vector<std::uint32_t> slots;
  slots.swap(revisit_);
  for (const std::uint32_t slot : slots) {
    connections_[slot].revisit = false;
    update(slot);
  }
}

void UringEcho::add(net::Fd fd) {
  // io_uring waits for a blocking socket itself and never blocks us; on a non-blocking one
  // (as accept4 gave it) a send to a full socket fails with EAGAIN instead of waiting.
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags >= 0) ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
  std::uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(connections_.size());
    connections_.emplace_back();
  }
  Connection& c = connections_[slot];
  c = Connection{};
  c.fd = fd.release();
  c.generation = next_generation_++;
  c.opened = c.last_active = loop_.now();
  c.draining = draining_;
  ++open_;
  arm_timer(slot);
  update(slot);
}

bool UringEcho::wants_receive(const Connection& c) const {
  if (c.receiving || c.starved || c.closing || c.peer_done) return false;
  // Once shut down for writing, input is read only to be dropped, until the peer closes.
  return c.write_shut || (!c.paused && !c.draining);
}

// Arms whatever the connection's state asks for, then closes it if it is done. Idempotent:
// it is also how an operation that found the submission queue full is armed again.
void UringEcho::update(std::uint32_t slot) {
  Connection& c = connections_[slot];
  if (c.fd < 0) return;
  // Near the limit a multishot receive gives way to single ones (see arm_receive).
  const bool near_limit = c.multishot && !c.write_shut && room(c) < kMultishotRoom;
  const bool stop_input = c.paused || (c.draining && !c.write_shut) || near_limit;
  if (c.receiving && !c.cancelling && stop_input && !c.closing) cancel_receive(slot);
  if (wants_receive(c)) arm_receive(slot);
  send_next(slot);
  settle(slot);
}

// A multishot receive stays armed and reports every arrival, but the kernel may deliver a
// batch of buffers before a cancel lands: so it is used only while the connection has room
// for such a batch. Nearer to --max-output, one receive at a time, of at most the room left,
// keeps the queue within the limit exactly.
void UringEcho::arm_receive(std::uint32_t slot) {
  io_uring_sqe* sqe = entry_for(slot);
  if (sqe == nullptr) return;
  Connection& c = connections_[slot];
  c.multishot = c.write_shut || room(c) >= kMultishotRoom;
  if (c.multishot) {
    io_uring_prep_recv_multishot(sqe, c.fd, nullptr, 0, 0);
  } else {
    const auto most =
        static_cast<unsigned>(std::clamp<std::size_t>(room(c), 1, detail::ProvidedBuffers::kSize));
    io_uring_prep_recv(sqe, c.fd, nullptr, most, 0);
  }
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = detail::ProvidedBuffers::kGroup;
  io_uring_sqe_set_data64(sqe, pack(Op::receive, slot));
  c.receiving = true;
}

// Its receive's own last completion (-ECANCELED) says when it has stopped.
void UringEcho::cancel_receive(std::uint32_t slot) {
  io_uring_sqe* sqe = entry_for(slot);
  if (sqe == nullptr) return;
  io_uring_prep_cancel64(sqe, pack(Op::receive, slot), 0);
  io_uring_sqe_set_data64(sqe, pack(Op::cancel, slot));
  connections_[slot].cancelling = true;
}

// One send in flight per connection keeps its bytes in order; it carries everything queued
// when it starts, so a stream moves in large sends.
void UringEcho::send_next(std::uint32_t slot) {
  Connection& c = connections_[slot];
  if (c.send_in_flight || c.closing || c.write_shut) return;
  const auto bytes = c.output.front();
  if (bytes.empty()) return;
  io_uring_sqe* sqe = entry_for(slot);
  if (sqe == nullptr) return;
  // MSG_NOSIGNAL: a peer that reset must not kill the server with SIGPIPE.
  io_uring_prep_send(sqe, c.fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  io_uring_sqe_set_data64(sqe, pack(Op::send, slot));
  c.send_in_flight = true;
}

void UringEcho::wait(int epoll_fd, int timeout_ms) noexcept {
  watch_epoll(epoll_fd);  // First, so that new connections are never left without a watch.
  // Operations that found the queue full are armed now, a queueful at a time. Bounded: each
  // round ends with the kernel taking at least one entry, or we wait and try again later.
  while (!revisit_.empty()) {
    revisit_all();
    if (revisit_.empty() || !ring_.submit()) break;
  }
  ring_.submit_and_wait(timeout_ms);
}

// A one-shot poll, armed again once it fires: it fires at once while events are left over.
void UringEcho::watch_epoll(int epoll_fd) {
  if (epoll_watched_) return;
  io_uring_sqe* sqe = ring_.try_entry();
  // Never left out: the loop's timers, tasks and signals come this way.
  if (sqe == nullptr && ring_.submit()) sqe = ring_.try_entry();
  if (sqe == nullptr) return;
  io_uring_prep_poll_add(sqe, epoll_fd, POLLIN);
  io_uring_sqe_set_data64(sqe, pack(Op::epoll_ready, 0));
  ++in_flight_;
  epoll_watched_ = true;
}

bool UringEcho::dispatch() noexcept {
  bool epoll_ready = false;
  ring_.for_each_completion([this, &epoll_ready](const io_uring_cqe& cqe) {
    const Op op = op_of(cqe.user_data);
    const std::uint32_t slot = slot_of(cqe.user_data);
    if (is_final(cqe)) {
      --in_flight_;
      if (op != Op::epoll_ready && op != Op::teardown) --connections_[slot].operations;
    }
    switch (op) {
      case Op::receive:
        on_receive(cqe, slot);
        break;
      case Op::send:
        on_send(cqe, slot);
        break;
      case Op::cancel:  // Its receive's own completion says what happened.
        update(slot);
        break;
      case Op::epoll_ready:
        epoll_watched_ = false;
        epoll_ready = true;
        break;
      case Op::teardown:
        break;
    }
  });
  // Every buffer taken in this dispatch was copied out and given back: receives that found
  // the ring empty can be armed again now.
  std::vector<std::uint32_t> starved;
  starved.swap(starved_);
  for (const std::uint32_t slot : starved) {
    connections_[slot].starved = false;
    update(slot);
  }
  return epoll_ready;
}

void UringEcho::on_receive(const io_uring_cqe& cqe, std::uint32_t slot) {
  Connection& c = connections_[slot];
  if (is_final(cqe)) c.receiving = c.cancelling = false;
  if (cqe.res > 0 && (cqe.flags & IORING_CQE_F_BUFFER) != 0) {
    take_input(c, cqe);
  } else if (cqe.res == -ENOBUFS) {
    c.starved = true;  // Every buffer was taken in this batch; see dispatch().
    starved_.push_back(slot);
  } else if (cqe.res == 0) {
    c.peer_done = true;  // End of stream: what is queued still goes back, then we close.
  } else if (cqe.res < 0 && cqe.res != -ECANCELED) {
    c.closing = true;  // An error: nothing more goes out.
  }
  update(slot);
}

// Copies the received bytes into the connection's queue and gives the buffer back at once.
void UringEcho::take_input(Connection& c, const io_uring_cqe& cqe) {
  const auto bid = static_cast<std::uint16_t>(cqe.flags >> IORING_CQE_BUFFER_SHIFT);
  const auto count = static_cast<std::size_t>(cqe.res);
  if (!c.write_shut && !c.closing) {
    c.output.append(buffers_.data(bid), count);
    bytes_in_ += count;
    c.greeted = true;
    c.last_active = loop_.now();
    if (c.output.size() >= settings_.output_limit) c.paused = true;
  }  // Else shut down for writing, or failed: the bytes are dropped.
  buffers_.give_back(bid);
}

void UringEcho::on_send(const io_uring_cqe& cqe, std::uint32_t slot) {
  Connection& c = connections_[slot];
  c.send_in_flight = false;
  if (cqe.res <= 0) {
    c.closing = true;  // The peer is gone (EPIPE, ECONNRESET): nothing more goes out.
  } else {
    c.output.consumed(static_cast<std::size_t>(cqe.res));
    bytes_out_ += static_cast<std::uint64_t>(cqe.res);
    c.last_active = loop_.now();
  }
  if (c.paused && c.output.size() <= settings_.output_limit / 2) c.paused = false;
  update(slot);
}

// Ends a connection whose work is done: after the peer's end of stream once all is echoed;
// when draining, shuts the write side down once all is echoed; when closing, once the kernel
// holds nothing of it (shutting it down ends what it still holds).
void UringEcho::settle(std::uint32_t slot) {
  Connection& c = connections_[slot];
  if (c.fd < 0) return;
  const bool flushed = !c.send_in_flight && c.output.size() == 0;
  if (!c.closing) {
    if (c.peer_done && flushed) {
      c.closing = true;  // The peer sent its FIN and we read it: no input is left unread.
    } else if (c.draining && !c.write_shut && flushed && !c.receiving) {
      // Our FIN follows the last echoed byte; the peer reads it all, then closes.
      ::shutdown(c.fd, SHUT_WR);
      c.write_shut = true;
      if (wants_receive(c)) arm_receive(slot);
      return;
    } else {
      return;
    }
  }
  if (c.operations > 0) {
    if (!c.shut_down) ::shutdown(c.fd, SHUT_RDWR);
    c.shut_down = true;
    return;
  }
  close_slot(slot);
}

void UringEcho::close_slot(std::uint32_t slot) {
  Connection& c = connections_[slot];
  loop_.cancel(c.timer);
  ::close(c.fd);
  c = Connection{};
  free_slots_.push_back(slot);
  --open_;
  if (on_closed_) on_closed_();
  if (draining_ && open_ == 0 && on_empty_) std::exchange(on_empty_, nullptr)();
}

void UringEcho::drain(std::function<void()> on_empty) {
  draining_ = true;
  on_empty_ = std::move(on_empty);
  for (std::uint32_t slot = 0; slot < connections_.size(); ++slot) {
    if (connections_[slot].fd < 0) continue;
    connections_[slot].draining = true;
    update(slot);
  }
  if (open_ == 0 && on_empty_) std::exchange(on_empty_, nullptr)();
}

// One timer per connection, at its nearest deadline; when it fires it checks the time of the
// last activity rather than being moved on every message (as TcpConnection's idle timer).
void UringEcho::arm_timer(std::uint32_t slot) {
  Connection& c = connections_[slot];
  std::optional<TimePoint> deadline;
  if (!c.greeted && settings_.handshake_timeout > Duration::zero()) {
    deadline = c.opened + settings_.handshake_timeout;
  }
  if (settings_.idle_timeout > Duration::zero()) {
    const TimePoint idle = c.last_active + settings_.idle_timeout;
    deadline = deadline ? std::min(*deadline, idle) : idle;
  }
  if (!deadline) return;
  c.timer = loop_.run_at(*deadline,
                         [this, slot, generation = c.generation] { on_timer(slot, generation); });
}

void UringEcho::on_timer(std::uint32_t slot, std::uint32_t generation) {
  Connection& c = connections_[slot];
  if (c.fd < 0 || c.generation != generation) return;
  c.timer = {};
  if (c.closing) return;
  const TimePoint now = loop_.now();
  const bool silent_start = !c.greeted && settings_.handshake_timeout > Duration::zero() &&
                            now >= c.opened + settings_.handshake_timeout;
  const bool idle =
      settings_.idle_timeout > Duration::zero() && now >= c.last_active + settings_.idle_timeout;
  if (silent_start || idle) {
    log::info("connection dropped: {}",
              silent_start ? "no first byte within the handshake timeout" : "idle timeout");
    c.closing = true;
    update(slot);
    return;
  }
  arm_timer(slot);
}

}  // namespace soket::conn
