#include "conn/uring_connections.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdlib>

#include "conn/detail/uring_user_data.h"
#include "core/log.h"

namespace soket::conn {
namespace {

using detail::pack;
using detail::unpack;
using detail::UringOp;

// How many times one wait hands a full submission queue to the kernel to make room for what
// is still unarmed; what is left then waits for the next iteration.
constexpr int kSubmitRounds = 64;

// A batching service's wait gathers completions once its last batch had kGatherFrom receives:
// up to twice that many, at most kGatherMost, for at most kGatherLimit (bench/RESULTS.md).
constexpr std::size_t kGatherFrom = 32;
constexpr std::size_t kGatherMost = 2048;
constexpr std::chrono::microseconds kGatherLimit{500};

}  // namespace

Result<std::unique_ptr<UringConnections>> UringConnections::create(reactor::EventLoop& loop,
                                                                   ConnectionEvents& events,
                                                                   ConnectionSettings settings,
                                                                   OnReleased on_released) {
  std::unique_ptr<UringConnections> pool(
      new UringConnections(loop, events, settings, std::move(on_released)));
  if (auto r = pool->set_up(); !r) return r.error();
  return pool;
}

detail::BufferShape UringConnections::stream_buffer_shape() {
  detail::BufferShape shape = detail::kStreamBuffers;
  // A test hook: a ring of a few buffers proves that contended buffers starve no connection.
  if (const char* forced = std::getenv("SOKET_URING_STREAM_BUFFERS")) {
    const unsigned count =
        std::bit_floor(static_cast<unsigned>(std::clamp(std::atoi(forced), 1, 4096)));
    shape.count = count;
  }
  return shape;
}

Result<void> UringConnections::set_up() {
  if (loop_.waiter() != nullptr) return std::make_error_code(std::errc::device_or_resource_busy);
  // A test hook: a tiny ring proves that a full submission queue loses nothing.
  if (const char* forced = std::getenv("SOKET_URING_ENTRIES")) {
    ring_entries_ = static_cast<unsigned>(std::clamp(std::atoi(forced), 1, 32768));
  }
  if (auto r = ring_.open(ring_entries_); !r) return r;
  if (auto r = buffers_.register_with(ring_.raw()); !r) return r;
  if (auto r = bulk_buffers_.register_with(ring_.raw()); r) {
    bulk_ready_ = true;
    reflected_sizes_.assign(detail::kBulkBuffers.count, 0);
  } else {
    log::debug("io_uring: no large buffers for streams ({}): they take stream-sized receives",
               r.error().message());
  }
  ring_ready_ = true;
  loop_.set_waiter(this);
  log::debug("TCP connections on io_uring ({} submission entries, {} completion entries)",
             ring_entries_, ring_.completion_entries());
  return {};
}

UringConnections::~UringConnections() {
  if (!ring_ready_) return;
  loop_.set_waiter(nullptr);
  reap_everything();
  if (in_flight_ > 0) {
    // The kernel still holds operations on our memory: leak the connections (their queued
    // bytes) and the buffers, rather than let a late send read memory given to others.
    for (auto& c : slots_) static_cast<void>(c.release());
    buffers_.abandon();
    bulk_buffers_.abandon();
    for (auto& endpoint : datagrams_) endpoint->abandon();
  }
  // The connections close their sockets; the ring itself goes with ring_, after this.
  slots_.clear();
}

// Ends every operation still in flight and waits for the kernel to report each one, because
// a send still running after the ring (and our memory) is gone would read freed memory.
// Shutting a socket down completes its receive and its send; one cancel of everything ends
// the rest (the poll of the epoll fd).
void UringConnections::reap_everything() {
  for (const auto& c : slots_) {
    if (c) ::shutdown(c->fd(), SHUT_RDWR);
  }
  io_uring_sqe* sqe = entry_making_room();
  if (sqe != nullptr) {
    io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY);
    io_uring_sqe_set_data64(sqe, pack({UringOp::teardown}));
    ++in_flight_;
  }
  const auto deadline = Clock::now() + std::chrono::seconds(2);
  while (in_flight_ > 0 && Clock::now() < deadline) {
    ring_.submit_and_wait(100);
    ring_.for_each_completion([this](const io_uring_cqe& cqe) {
      count_completion(cqe);
      // Its bytes are dropped, but the buffer must go back to the ring it came from (a
      // datagram's goes with its endpoint).
      const UringOp op = unpack(cqe.user_data).op;
      const bool tcp_receive = op == UringOp::receive || op == UringOp::bulk_receive;
      if (tcp_receive && (cqe.flags & IORING_CQE_F_BUFFER) != 0) {
        buffers_of(cqe).give_back(static_cast<std::uint16_t>(cqe.flags >> IORING_CQE_BUFFER_SHIFT));
      }
    });
  }
  if (in_flight_ > 0) log::warn("io_uring: {} operations did not end in time", in_flight_);
}

UringConnection* UringConnections::add(net::Fd fd, const net::Address& peer) {
  // io_uring waits for a blocking socket itself and never blocks us; on a non-blocking one
  // (as accept4 gave it) a send to a full socket would fail with EAGAIN instead of waiting.
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags >= 0) ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
  std::uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
    is_marked_.push_back(false);
  }
  slots_[slot] = std::make_unique<UringConnection>(*this, fd.release(), peer, next_id_++, slot);
  ++open_;
  UringConnection* connection = slots_[slot].get();
  connection->start();
  if (draining_) connection->close_after_flush();
  return connection;
}

Result<DatagramEndpoint*> UringConnections::add_datagrams(int fd, bool shared,
                                                          DatagramEvents& events) {
  // A shared socket needs nothing more on io_uring: each datagram completes one loop's receive.
  const auto index = static_cast<std::uint32_t>(datagrams_.size());
  auto endpoint = std::make_unique<UringUdpEndpoint>(*this, fd, index, events);
  if (auto r = endpoint->start(ring_.raw()); !r) {
    // Its buffer ring was refused (memory, a filter): the loop's epoll serves this socket,
    // which the ring's poll of the epoll fd already watches, rather than nobody.
    log::warn("io_uring cannot take UDP datagrams ({}): serving them with epoll",
              r.error().message());
    auto fallback = std::make_unique<UdpEndpoint>(loop_, fd, shared, events);
    if (auto started = fallback->start(); !started) return started.error();
    epoll_datagrams_.push_back(std::move(fallback));
    return epoll_datagrams_.back().get();
  }
  datagrams_.push_back(std::move(endpoint));
  return datagrams_.back().get();
}

io_uring_sqe* UringConnections::datagram_entry() {
  io_uring_sqe* sqe = entry_making_room();
  if (sqe != nullptr) ++in_flight_;
  return sqe;
}

// A free entry; when the queue is full, it is handed to the kernel once to make room.
io_uring_sqe* UringConnections::entry_making_room() {
  io_uring_sqe* sqe = ring_.try_entry();
  if (sqe == nullptr && ring_.submit()) {
    ++submits_;
    sqe = ring_.try_entry();
  }
  return sqe;
}

void UringConnections::close_all(OnEmpty on_empty) {
  draining_ = true;
  on_empty_ = std::move(on_empty);
  for (auto& c : slots_) {
    if (c) c->close_after_flush();
  }
  if (open_ == 0 && on_empty_) std::exchange(on_empty_, nullptr)();
}

std::uint64_t UringConnections::bytes_in() const {
  std::uint64_t total = released_bytes_in_;
  for (const auto& c : slots_) {
    if (c) total += c->bytes_in();
  }
  return total;
}

std::uint64_t UringConnections::bytes_out() const {
  std::uint64_t total = released_bytes_out_;
  for (const auto& c : slots_) {
    if (c) total += c->bytes_out();
  }
  return total;
}

void UringConnections::mark(std::uint32_t slot) {
  if (is_marked_[slot]) return;
  is_marked_[slot] = true;
  marked_.push_back(slot);
}

// Arms what every marked connection's state asks for and releases those that are done. An
// operation that finds the submission queue full keeps its connection marked: the queue is
// handed to the kernel to make room, a bounded number of times, else it waits for the next
// iteration. Nothing is ever left unarmed and forgotten.
void UringConnections::update_marked() {
  for (int round = 0; round < kSubmitRounds && !marked_.empty(); ++round) {
    std::vector<std::uint32_t> slots;
    slots.swap(marked_);
    for (const std::uint32_t slot : slots) is_marked_[slot] = false;
    // Receives that found the shared ring empty are armed first, those that found it empty
    // the most times in a row first of all: with more busy connections than buffers, the
    // kernel gives the buffers in the order the receives are submitted, and an order kept
    // from round to round would let the same connections lose every time.
    const auto starved_end = std::stable_partition(
        slots.begin(), slots.end(),
        [this](std::uint32_t slot) { return slots_[slot] != nullptr && slots_[slot]->starved(); });
    std::stable_sort(slots.begin(), starved_end, [this](std::uint32_t a, std::uint32_t b) {
      return slots_[a]->starved_rounds() > slots_[b]->starved_rounds();
    });
    bool queue_full = false;
    for (const std::uint32_t slot : slots) {
      UringConnection* c = slots_[slot].get();
      if (c == nullptr) continue;
      if (queue_full || !update(*c)) {
        queue_full = true;
        mark(slot);
      }
    }
    if (!queue_full || !ring_.submit()) break;
    ++submits_;
  }
}

// False when the submission queue was full.
bool UringConnections::update(UringConnection& c) {
  if (c.settle()) {
    release(c);
    return true;
  }
  if (c.closed()) return true;
  if (c.wants_receive() && !arm_receive(c)) return false;
  if (c.wants_send() && !arm_send(c)) return false;
  // Arming may have been all a closing connection waited for (a FIN after the last byte).
  return true;
}

io_uring_sqe* UringConnections::entry_for(UringConnection& c) {
  io_uring_sqe* sqe = ring_.try_entry();
  if (sqe == nullptr) return nullptr;
  ++in_flight_;
  ++c.operations;
  return sqe;
}

bool UringConnections::arm_receive(UringConnection& c) {
  io_uring_sqe* sqe = entry_for(c);
  if (sqe == nullptr) return false;
  // One receive, one buffer, taken from the ring only when bytes arrive. Not multishot: the
  // kernel would go on filling buffers for a connection we want paused. With a buffer ring
  // the length caps the read below the buffer's size.
  const bool bulk = bulk_ready_ && c.bulk();
  const detail::BufferShape& shape = bulk ? detail::kBulkBuffers : detail::kStreamBuffers;
  io_uring_prep_recv(sqe, c.fd(), nullptr, c.receive_size(shape.size), 0);
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = shape.group;
  const UringOp op = bulk ? UringOp::bulk_receive : UringOp::receive;
  io_uring_sqe_set_data64(sqe, pack({op, 0, c.slot()}));
  c.receive_armed();
  return true;
}

// One send in flight per connection keeps its bytes in order; it carries everything queued
// when it starts, so what a service sent in one iteration goes out in one send.
bool UringConnections::arm_send(UringConnection& c) {
  const auto bytes = c.next_send();
  io_uring_sqe* sqe = entry_for(c);
  if (sqe == nullptr) return false;
  // MSG_NOSIGNAL: a peer that reset must not kill the server with SIGPIPE.
  io_uring_prep_send(sqe, c.fd(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
  io_uring_sqe_set_data64(sqe, pack({UringOp::send, 0, c.slot()}));
  c.send_armed();
  return true;
}

void UringConnections::release(UringConnection& c) {
  const std::uint32_t slot = c.slot();
  std::unique_ptr<UringConnection> gone = std::move(slots_[slot]);
  released_bytes_in_ += gone->bytes_in();
  released_bytes_out_ += gone->bytes_out();
  if (on_released_) on_released_(*gone);
  gone.reset();  // Closes the socket.
  free_slots_.push_back(slot);
  --open_;
  released_since_wait_ = true;
  if (draining_ && open_ == 0 && on_empty_) std::exchange(on_empty_, nullptr)();
}

void UringConnections::wait(int epoll_fd, int timeout_ms) noexcept {
  watch_epoll(epoll_fd);  // First, so that the loop's own events are never left unwatched.
  update_marked();
  for (auto& endpoint : datagrams_) endpoint->refresh();
  // A release may have queued work for the loop (its callbacks run here): do not block then.
  if (std::exchange(released_since_wait_, false)) timeout_ms = 0;
  // Connections left marked (more than the rounds could arm) are armed at the next pass.
  if (!marked_.empty()) timeout_ms = 0;
  if (timeout_ms != 0 && events_.batches_sends() && last_receives_ >= kGatherFrom) {
    // A fan-out service (the chat room): wait a little for more messages, so that each
    // member's send carries many. Without it the loop wakes for every few receives, and a
    // room of 1,000 sends each member ~40 messages an iteration where epoll sends ~1,000.
    const auto count = std::min<std::size_t>(2 * last_receives_, kGatherMost);
    ring_.submit_and_gather(static_cast<unsigned>(count), kGatherLimit);
  } else {
    ring_.submit_and_wait(timeout_ms);
  }
  ++submits_;
}

// A one-shot poll, armed again once it fires: it fires at once while events are left over.
void UringConnections::watch_epoll(int epoll_fd) {
  if (epoll_watched_) return;
  // Never left out: the loop's timers, tasks and signals come this way.
  io_uring_sqe* sqe = entry_making_room();
  if (sqe == nullptr) return;
  io_uring_prep_poll_add(sqe, epoll_fd, POLLIN);
  io_uring_sqe_set_data64(sqe, pack({UringOp::epoll_ready}));
  ++in_flight_;
  epoll_watched_ = true;
}

// A multishot operation (a datagram receive) completes many times: only its last completion,
// without IORING_CQE_F_MORE, ends it.
void UringConnections::count_completion(const io_uring_cqe& cqe) {
  if ((cqe.flags & IORING_CQE_F_MORE) == 0) --in_flight_;
}

bool UringConnections::dispatch() noexcept {
  bool epoll_ready = false;
  ring_.for_each_completion([this, &epoll_ready](const io_uring_cqe& cqe) {
    count_completion(cqe);
    const auto tag = unpack(cqe.user_data);
    switch (tag.op) {
      case UringOp::epoll_ready:
        epoll_watched_ = false;
        epoll_ready = true;
        return;
      case UringOp::receive:
      case UringOp::bulk_receive:
        received_.push_back(cqe);
        return;
      case UringOp::send: {
        UringConnection& c = *slots_[tag.slot];  // Held until its operations end.
        --c.operations;
        c.on_sent(cqe.res);
        return;
      }
      case UringOp::reflect:
        on_reflected(cqe, *slots_[tag.slot]);
        return;
      case UringOp::datagram_receive:
        datagrams_[tag.endpoint]->on_received(cqe);
        return;
      case UringOp::datagram_send:
        datagrams_[tag.endpoint]->on_sent(tag.slot, cqe.res);
        return;
      case UringOp::teardown:
      case UringOp::datagram_cancel:
        return;
    }
  });
  // Receives after every send of the batch: what the services then send, and what they see
  // queued (the chat room's output limits), already counts the bytes the kernel has taken.
  last_receives_ = received_.size();
  for (const io_uring_cqe& cqe : received_) {
    UringConnection& c = *slots_[unpack(cqe.user_data).slot];
    --c.operations;
    on_receive(cqe, c);
  }
  received_.clear();
  warn_of_lost_completions();
  // Releases happen here too, before the loop's timers and tasks run, so that they see the
  // connections the kernel has let go of.
  update_marked();
  return epoll_ready;
}

// A lost completion leaves its connection waiting for good; it cannot be recovered, but it
// must not go unsaid. Said once per batch that lost some.
void UringConnections::warn_of_lost_completions() {
  const unsigned lost = ring_.lost_completions();
  if (lost == lost_completions_) return;
  log::warn(
      "io_uring: {} completions lost in all (the completion queue overflowed and the "
      "kernel had no memory to keep them); connections may hang until their timeouts",
      lost);
  lost_completions_ = lost;
}

detail::ProvidedBuffers& UringConnections::buffers_of(const io_uring_cqe& cqe) {
  return unpack(cqe.user_data).op == UringOp::bulk_receive ? bulk_buffers_ : buffers_;
}

void UringConnections::on_receive(const io_uring_cqe& cqe, UringConnection& c) {
  detail::ProvidedBuffers& buffers = buffers_of(cqe);
  // A receive that filled its whole buffer finds more waiting: the next one takes a large
  // buffer. One that came short, or found the large buffers all taken (ENOBUFS), does not.
  c.set_bulk(cqe.res == static_cast<int>(buffers.shape().size));
  if ((cqe.flags & IORING_CQE_F_BUFFER) == 0) {
    c.on_receive_ended(cqe.res);
    return;
  }
  const auto bid = static_cast<std::uint16_t>(cqe.flags >> IORING_CQE_BUFFER_SHIFT);
  const bool large = &buffers == &bulk_buffers_;
  if (cqe.res > 0 && large && events_.reflects() && c.can_reflect() &&
      reflect(c, bid, static_cast<std::uint32_t>(cqe.res))) {
    return;  // The buffer is the send's until it completes.
  }
  if (cqe.res > 0) {
    c.on_received({buffers.data(bid), static_cast<std::size_t>(cqe.res)});
  } else {
    c.on_receive_ended(cqe.res);
  }
  buffers.give_back(bid);  // Copied out: the buffer is the next receive's.
}

// Sends `size` bytes back from large buffer `bid`, where they arrived; false (and nothing
// armed) when the submission queue is full: they are then copied as any input.
bool UringConnections::reflect(UringConnection& c, std::uint16_t bid, std::uint32_t size) {
  io_uring_sqe* sqe = entry_for(c);
  if (sqe == nullptr) return false;
  // MSG_DONTWAIT: a socket without room answers at once (EAGAIN or a short send), so the
  // buffer never waits on a slow peer.
  io_uring_prep_send(sqe, c.fd(), bulk_buffers_.data(bid), size, MSG_NOSIGNAL | MSG_DONTWAIT);
  io_uring_sqe_set_data64(sqe, pack({UringOp::reflect, bid, c.slot()}));
  reflected_sizes_[bid] = size;
  c.on_reflecting(size);
  return true;
}

void UringConnections::on_reflected(const io_uring_cqe& cqe, UringConnection& c) {
  const auto bid = static_cast<std::uint16_t>(unpack(cqe.user_data).endpoint);
  --c.operations;
  c.on_reflected(cqe.res, {bulk_buffers_.data(bid), reflected_sizes_[bid]});
  bulk_buffers_.give_back(bid);
}

}  // namespace soket::conn
