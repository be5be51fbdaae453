#include "conn/uring_echo.h"

#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "core/log.h"

namespace soket::conn {
namespace {

enum class Op : std::uint8_t { receive = 1, send = 2, epoll_ready = 3 };

// user_data: the operation (8 bits), the buffer id (16) and the connection's slot (32).
std::uint64_t pack(Op op, std::uint32_t slot, std::uint16_t bid = 0) {
  return (std::uint64_t{static_cast<std::uint8_t>(op)} << 56) | (std::uint64_t{bid} << 32) | slot;
}
Op op_of(std::uint64_t data) {
  return static_cast<Op>(data >> 56);
}
std::uint16_t bid_of(std::uint64_t data) {
  return static_cast<std::uint16_t>((data >> 32) & 0xFFFF);
}
std::uint32_t slot_of(std::uint64_t data) {
  return static_cast<std::uint32_t>(data & 0xFFFFFFFF);
}

}  // namespace

Result<std::unique_ptr<UringEcho>> UringEcho::create(reactor::EventLoop& loop) {
  std::unique_ptr<UringEcho> echo(new UringEcho(loop));
  if (auto r = echo->set_up(); !r) return r.error();
  return echo;
}

Result<void> UringEcho::set_up() {
  // One thread submits and reaps (ours): the kernel may skip the locking and interrupts that
  // sharing would need.
  // The kernel's part of each receive is deferred to our next wait (DEFER_TASKRUN), where it
  // runs in one batch instead of interrupting us once per packet.
  int status = -EINVAL;
  for (const unsigned flags : {IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
                               IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN, 0U}) {
    io_uring_params params{};
    params.flags = flags;
    status = io_uring_queue_init_params(4096, &ring_, &params);
    if (status != -EINVAL) break;  // Else an older kernel: try with fewer flags.
  }
  if (status < 0) return std::error_code(-status, std::system_category());
  ring_ready_ = true;
  io_uring_register_ring_fd(&ring_);  // Spares the kernel a file lookup per call, if it can.
  void* ring_memory = ::mmap(nullptr, kBuffers * sizeof(io_uring_buf), PROT_READ | PROT_WRITE,
                             MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
  if (ring_memory == MAP_FAILED) return last_system_error();
  buffer_ring_ = static_cast<io_uring_buf_ring*>(ring_memory);
  io_uring_buf_ring_init(buffer_ring_);
  io_uring_buf_reg registration{};
  registration.ring_addr = reinterpret_cast<std::uintptr_t>(buffer_ring_);
  registration.ring_entries = kBuffers;
  registration.bgid = kGroup;
  status = io_uring_register_buf_ring(&ring_, &registration, 0);
  if (status < 0) return std::error_code(-status, std::system_category());
  memory_.resize(kBuffers * kBufferSize);
  sends_.resize(kBuffers);
  for (unsigned bid = 0; bid < kBuffers; ++bid) {
    io_uring_buf_ring_add(buffer_ring_, buffer(static_cast<std::uint16_t>(bid)), kBufferSize,
                          static_cast<unsigned short>(bid), io_uring_buf_ring_mask(kBuffers),
                          static_cast<int>(bid));
  }
  io_uring_buf_ring_advance(buffer_ring_, kBuffers);
  loop_.set_waiter(this);
  return {};
}

UringEcho::~UringEcho() {
  if (!ring_ready_) return;
  loop_.set_waiter(nullptr);
  io_uring_queue_exit(&ring_);  // Cancels what is in flight.
  for (auto& c : connections_) {
    if (c.fd >= 0) ::close(c.fd);
  }
  if (buffer_ring_ != nullptr) ::munmap(buffer_ring_, kBuffers * sizeof(io_uring_buf));
}

io_uring_sqe* UringEcho::next_sqe() {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  if (sqe == nullptr) {  // The submission queue is full: hand it to the kernel and go on.
    io_uring_submit(&ring_);
    sqe = io_uring_get_sqe(&ring_);
  }
  return sqe;
}

void UringEcho::add(net::Fd fd) {
  std::uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(connections_.size());
    connections_.emplace_back();
  }
  connections_[slot] = Connection{fd.release(), 0, {}, false, false};
  ++open_;
  arm_receive(slot);
  io_uring_submit(&ring_);
}

void UringEcho::arm_receive(std::uint32_t slot) {
  io_uring_sqe* sqe = next_sqe();
  if (sqe == nullptr) return;
  io_uring_prep_recv_multishot(sqe, connections_[slot].fd, nullptr, 0, 0);
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = kGroup;
  io_uring_sqe_set_data64(sqe, pack(Op::receive, slot));
  connections_[slot].receiving = true;
}

void UringEcho::send_from(std::uint16_t bid) {
  const Send& s = sends_[bid];
  io_uring_sqe* sqe = next_sqe();
  if (sqe == nullptr) return;
  io_uring_prep_send(sqe, connections_[s.slot].fd, buffer(bid) + s.offset, s.length - s.offset,
                     MSG_NOSIGNAL);
  io_uring_sqe_set_data64(sqe, pack(Op::send, s.slot, bid));
}

void UringEcho::wait(int epoll_fd, int timeout_ms) noexcept {
  watch_epoll(epoll_fd);
  if (timeout_ms == 0) {
    io_uring_submit_and_get_events(&ring_);
    return;
  }
  __kernel_timespec limit{};
  limit.tv_sec = timeout_ms / 1000;
  limit.tv_nsec = static_cast<long long>(timeout_ms % 1000) * 1'000'000;
  io_uring_cqe* first = nullptr;
  // Ends on a completion, the limit (-ETIME) or a signal (-EINTR): all mean "go on".
  io_uring_submit_and_wait_timeout(&ring_, &first, 1, timeout_ms < 0 ? nullptr : &limit, nullptr);
}

// A one-shot poll, armed again once it fires: it fires at once while events are left over.
void UringEcho::watch_epoll(int epoll_fd) {
  if (epoll_watched_) return;
  io_uring_sqe* sqe = next_sqe();
  if (sqe == nullptr) return;
  io_uring_prep_poll_add(sqe, epoll_fd, POLLIN);
  io_uring_sqe_set_data64(sqe, pack(Op::epoll_ready, 0));
  epoll_watched_ = true;
}

bool UringEcho::dispatch() noexcept {
  bool epoll_ready = false;
  unsigned head;
  unsigned seen = 0;
  io_uring_cqe* cqe;
  io_uring_for_each_cqe(&ring_, head, cqe) {
    ++seen;
    const auto data = io_uring_cqe_get_data64(cqe);
    switch (op_of(data)) {
      case Op::receive:
        on_receive(*cqe, slot_of(data));
        break;
      case Op::send:
        on_send(*cqe, bid_of(data));
        break;
      case Op::epoll_ready:
        epoll_watched_ = false;
        epoll_ready = true;
        break;
    }
  }
  io_uring_cq_advance(&ring_, seen);
  return epoll_ready;
}

void UringEcho::on_receive(const io_uring_cqe& cqe, std::uint32_t slot) {
  Connection& c = connections_[slot];
  if ((cqe.flags & IORING_CQE_F_MORE) == 0) c.receiving = false;
  if (cqe.res > 0 && (cqe.flags & IORING_CQE_F_BUFFER) != 0) {
    const auto bid = static_cast<std::uint16_t>(cqe.flags >> IORING_CQE_BUFFER_SHIFT);
    bytes_in_ += static_cast<std::uint64_t>(cqe.res);
    sends_[bid] = Send{slot, 0, static_cast<std::uint32_t>(cqe.res)};
    if (c.closing) {
      release(bid);  // Shutting down: nothing more goes out.
    } else {
      ++c.pending_sends;
      c.queue.push_back(bid);
      if (c.queue.size() == 1) send_from(bid);  // Else it waits for the one in flight.
    }
  } else if (cqe.res == -ENOBUFS) {
    if (!c.receiving && !c.closing) starved_.push_back(slot);  // Re-armed on a release.
    return;
  } else if (cqe.res <= 0) {
    c.closing = true;  // End of stream, or an error: finish what is in flight, then close.
  }
  if (!c.receiving && !c.closing) arm_receive(slot);
  settle(slot);
}

void UringEcho::on_send(const io_uring_cqe& cqe, std::uint16_t bid) {
  Send& s = sends_[bid];
  Connection& c = connections_[s.slot];
  if (cqe.res > 0) {
    s.offset += static_cast<std::uint32_t>(cqe.res);
    bytes_out_ += static_cast<std::uint64_t>(cqe.res);
    if (s.offset < s.length && !c.closing) {
      send_from(bid);  // A partial send: the rest from the same buffer.
      return;
    }
  } else {
    c.closing = true;
  }
  const std::uint32_t slot = s.slot;
  release(bid);
  --c.pending_sends;
  if (!c.queue.empty()) c.queue.erase(c.queue.begin());
  if (!c.closing) {
    send_next(slot);
  } else {
    for (const auto waiting : c.queue) {
      release(waiting);
      --c.pending_sends;
    }
    c.queue.clear();
  }
  settle(slot);
}

void UringEcho::send_next(std::uint32_t slot) {
  if (!connections_[slot].queue.empty()) send_from(connections_[slot].queue.front());
}

void UringEcho::release(std::uint16_t bid) {
  io_uring_buf_ring_add(buffer_ring_, buffer(bid), kBufferSize, bid,
                        io_uring_buf_ring_mask(kBuffers), 0);
  io_uring_buf_ring_advance(buffer_ring_, 1);
  if (!starved_.empty()) {
    const std::uint32_t slot = starved_.back();
    starved_.pop_back();
    if (connections_[slot].fd >= 0 && !connections_[slot].closing) arm_receive(slot);
  }
}

// A closing connection is closed once the kernel holds nothing of it; a receive still armed
// is ended by shutting the socket down, which completes it.
void UringEcho::settle(std::uint32_t slot) {
  Connection& c = connections_[slot];
  if (!c.closing || c.fd < 0) return;
  if (c.receiving) {
    ::shutdown(c.fd, SHUT_RDWR);
    return;
  }
  if (c.pending_sends > 0) return;
  ::close(c.fd);
  c = Connection{};
  free_slots_.push_back(slot);
  --open_;
}

void UringEcho::close_all() {
  for (std::uint32_t slot = 0; slot < connections_.size(); ++slot) {
    if (connections_[slot].fd < 0) continue;
    connections_[slot].closing = true;
    settle(slot);
  }
  io_uring_submit(&ring_);
}

}  // namespace soket::conn
