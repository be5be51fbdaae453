#include "conn/uring_echo.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "core/log.h"

namespace soket::conn {
namespace {

enum class Op : std::uint8_t { receive = 1, send = 2, epoll_ready = 3, cancel = 4 };

// user_data: the operation (top 8 bits) and the connection's slot (low 32).
std::uint64_t pack(Op op, std::uint32_t slot) {
  return (std::uint64_t{static_cast<std::uint8_t>(op)} << 56) | slot;
}
Op op_of(std::uint64_t data) {
  return static_cast<Op>(data >> 56);
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
  connections_[slot] = Connection{};
  connections_[slot].fd = fd.release();
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

// One send in flight per connection keeps its bytes in order (the kernel may reorder two
// sends of one socket in flight at once); that one send takes every buffer queued, up to
// kBatch, so a stream moves in large sends and not a buffer at a time.
void UringEcho::send_queued(std::uint32_t slot) {
  Connection& c = connections_[slot];
  if (c.sending || c.queue.empty() || c.closing) return;
  io_uring_sqe* sqe = next_sqe();
  if (sqe == nullptr) return;
  const std::size_t count = std::min<std::size_t>(c.queue.size(), kBatch);
  if (count == 1) {  // The ping-pong case: a plain send, no message header to build.
    const Send& s = sends_[c.queue.front()];
    io_uring_prep_send(sqe, c.fd, buffer(c.queue.front()) + s.offset, s.length - s.offset,
                       MSG_NOSIGNAL);
  } else {
    c.batch = take_batch();
    SendBatch& batch = *batches_[c.batch];
    for (std::size_t i = 0; i < count; ++i) {
      const std::uint16_t bid = c.queue[i];
      batch.iov[i] = {buffer(bid) + sends_[bid].offset, sends_[bid].length - sends_[bid].offset};
    }
    batch.header = msghdr{};
    batch.header.msg_iov = batch.iov.data();
    batch.header.msg_iovlen = count;
    io_uring_prep_sendmsg(sqe, c.fd, &batch.header, MSG_NOSIGNAL);
  }
  io_uring_sqe_set_data64(sqe, pack(Op::send, slot));
  c.sending = true;
}

std::uint32_t UringEcho::take_batch() {
  if (free_batches_.empty()) {
    batches_.push_back(std::make_unique<SendBatch>());
    return static_cast<std::uint32_t>(batches_.size() - 1);
  }
  const std::uint32_t index = free_batches_.back();
  free_batches_.pop_back();
  return index;
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
        on_send(*cqe, slot_of(data));
        break;
      case Op::cancel:  // Its receive's own completion says what happened.
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
  const bool cancelled = cqe.res == -ECANCELED && c.cancelling;
  if ((cqe.flags & IORING_CQE_F_MORE) == 0) c.receiving = c.cancelling = false;
  if (cqe.res > 0 && (cqe.flags & IORING_CQE_F_BUFFER) != 0) {
    const auto bid = static_cast<std::uint16_t>(cqe.flags >> IORING_CQE_BUFFER_SHIFT);
    bytes_in_ += static_cast<std::uint64_t>(cqe.res);
    sends_[bid] = Send{0, static_cast<std::uint32_t>(cqe.res)};
    if (c.closing) {
      release(bid);  // Shutting down: nothing more goes out.
    } else {
      c.queue.push_back(bid);
      send_queued(slot);  // Unless a send is in flight: its completion sends the rest.
      if (c.queue.size() >= kMaxQueued) pause_receive(slot);
    }
  } else if (cqe.res == -ENOBUFS) {
    if (wants_receive(c)) starved_.push_back(slot);  // See release().
    return;
  } else if (cancelled) {
    // By pause_receive: armed again here if the queue drained meanwhile, else by on_send.
  } else if (cqe.res == 0) {
    c.peer_done = true;  // End of stream: what is queued still goes back, then we close.
  } else if (cqe.res < 0) {
    c.closing = true;  // An error: nothing more goes out.
  }
  if (wants_receive(c)) arm_receive(slot);
  settle(slot);
}

// A peer that sends faster than it reads would otherwise take every buffer of the ring and
// starve the other connections: past kMaxQueued buffers its receive is cancelled, and armed
// again once its queue has drained to half.
void UringEcho::pause_receive(std::uint32_t slot) {
  Connection& c = connections_[slot];
  if (c.paused || c.closing) return;
  c.paused = true;
  if (!c.receiving || c.cancelling) return;
  io_uring_sqe* sqe = next_sqe();
  if (sqe == nullptr) return;
  io_uring_prep_cancel64(sqe, pack(Op::receive, slot), 0);
  io_uring_sqe_set_data64(sqe, pack(Op::cancel, slot));
  c.cancelling = true;
}

void UringEcho::resume_receive(std::uint32_t slot) {
  Connection& c = connections_[slot];
  if (!c.paused || c.queue.size() > kMaxQueued / 2) return;
  c.paused = false;
  if (wants_receive(c)) arm_receive(slot);
}

void UringEcho::on_send(const io_uring_cqe& cqe, std::uint32_t slot) {
  Connection& c = connections_[slot];
  c.sending = false;
  if (c.batch != kNoBatch) {
    free_batches_.push_back(c.batch);
    c.batch = kNoBatch;
  }
  if (cqe.res <= 0) c.closing = true;
  // What was sent, buffer by buffer from the front; a buffer sent in part stays at the front.
  auto sent = static_cast<std::uint32_t>(std::max(cqe.res, 0));
  bytes_out_ += sent;
  std::size_t done = 0;
  while (done < c.queue.size() && sent > 0) {
    Send& s = sends_[c.queue[done]];
    const std::uint32_t part = std::min(sent, s.length - s.offset);
    s.offset += part;
    sent -= part;
    if (s.offset < s.length) break;
    ++done;
  }
  // Closing: nothing more goes out, so every buffer still queued is given back too.
  if (c.closing) done = c.queue.size();
  for (std::size_t i = 0; i < done; ++i) release(c.queue[i]);
  c.queue.erase(c.queue.begin(), c.queue.begin() + static_cast<std::ptrdiff_t>(done));
  send_queued(slot);
  resume_receive(slot);
  settle(slot);
}

void UringEcho::release(std::uint16_t bid) {
  io_uring_buf_ring_add(buffer_ring_, buffer(bid), kBufferSize, bid,
                        io_uring_buf_ring_mask(kBuffers), 0);
  io_uring_buf_ring_advance(buffer_ring_, 1);
  if (!starved_.empty()) {
    const std::uint32_t slot = starved_.front();  // The longest waiting first: no starving.
    starved_.pop_front();
    if (connections_[slot].fd >= 0 && wants_receive(connections_[slot])) arm_receive(slot);
  }
}

// A closing connection is closed once the kernel holds nothing of it; a receive still armed
// is ended by shutting the socket down, which completes it.
void UringEcho::settle(std::uint32_t slot) {
  Connection& c = connections_[slot];
  if (c.fd < 0) return;
  const bool echoed_all = c.peer_done && c.queue.empty() && !c.sending;
  if (!c.closing && !echoed_all) return;
  if (c.receiving) {
    ::shutdown(c.fd, SHUT_RDWR);
    return;
  }
  if (!c.queue.empty() || c.sending) return;
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
