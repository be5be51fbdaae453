#include "conn/uring_udp_endpoint.h"

#include <fcntl.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "conn/detail/uring_user_data.h"
#include "conn/uring_connections.h"
#include "core/log.h"

namespace soket::conn {
namespace {

using detail::UringOp;

// Each buffer holds what the multishot receive writes: its header, the sender's address and
// the whole of the largest datagram.
constexpr std::size_t kBufferSize =
    sizeof(io_uring_recvmsg_out) + net::Address::kCapacity + DatagramEndpoint::kMaxDatagram;

// Receive buffers; tests set SOKET_URING_DATAGRAM_BUFFERS (a power of two) to force a tiny
// ring, which proves that a burst beyond the buffers loses nothing.
unsigned buffer_count() {
  const char* forced = std::getenv("SOKET_URING_DATAGRAM_BUFFERS");
  if (forced == nullptr) return UringUdpEndpoint::kBuffers;
  const auto asked = static_cast<unsigned>(std::clamp(std::atoi(forced), 1, 32768));
  return std::bit_floor(asked);
}

// A send slot's copy keeps its memory up to this size, for the next datagram of a usual size.
constexpr std::size_t kKeptCopy = 2048;

}  // namespace

UringUdpEndpoint::UringUdpEndpoint(UringConnections& pool, int fd, std::uint32_t index,
                                   DatagramEvents& events)
    : pool_(pool),
      fd_(fd),
      index_(index),
      events_(events),
      buffers_({buffer_count(), kBufferSize, static_cast<std::uint16_t>(2 + index)}),
      holds_(buffers_.shape().count, 0) {
  shape_.msg_namelen = net::Address::kCapacity;
}

Result<void> UringUdpEndpoint::start(io_uring& ring) {
  // io_uring waits for a blocking socket itself; a non-blocking one would make the receive
  // fail with EAGAIN. Every send here (and epoll's, should a loop share the socket) says
  // MSG_DONTWAIT, so no call ever blocks the loop.
  const int flags = ::fcntl(fd_, F_GETFL);
  if (flags >= 0) ::fcntl(fd_, F_SETFL, flags & ~O_NONBLOCK);
  if (auto r = buffers_.register_with(ring); !r) return r;
  arm_receive();
  return {};
}

void UringUdpEndpoint::arm_receive() {
  io_uring_sqe* sqe = pool_.datagram_entry();
  if (sqe == nullptr) return;  // The queue is full: refresh() tries again before the wait.
  io_uring_prep_recvmsg_multishot(sqe, fd_, &shape_, 0);
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = buffers_.shape().group;
  io_uring_sqe_set_data64(sqe, detail::pack({UringOp::datagram_receive, index_, 0}));
  receiving_ = true;
}

void UringUdpEndpoint::refresh() {
  if (!receiving_ && !stopped_ && !starved_) arm_receive();
}

void UringUdpEndpoint::stop() {
  if (std::exchange(stopped_, true) || !receiving_) return;
  // If the queue is full the receive goes on, but what it takes is no longer handed on.
  io_uring_sqe* sqe = pool_.datagram_entry();
  if (sqe == nullptr) return;
  io_uring_prep_cancel64(sqe, detail::pack({UringOp::datagram_receive, index_, 0}), 0);
  io_uring_sqe_set_data64(sqe, detail::pack({UringOp::datagram_cancel, index_, 0}));
}

void UringUdpEndpoint::on_received(const io_uring_cqe& cqe) {
  if ((cqe.flags & IORING_CQE_F_MORE) == 0) receiving_ = false;  // refresh() arms it again.
  if ((cqe.flags & IORING_CQE_F_BUFFER) == 0) {
    // ENOBUFS: every buffer is taken (a flood); the receive waits for one to come back.
    // Only while buffers are still held: if they all came back before this completion was
    // seen, nothing would ever clear the flag and the receive would stop for good.
    if (cqe.res == -ENOBUFS && buffers_out_ > 0) {
      starved_ = true;
      ++starvations_;
    } else if (cqe.res < 0 && cqe.res != -ECANCELED) {
      log::debug("UDP receive ended: {}", std::strerror(-cqe.res));
    }
    return;
  }
  const auto bid = static_cast<std::uint16_t>(cqe.flags >> IORING_CQE_BUFFER_SHIFT);
  ++buffers_out_;
  hand_over(bid, static_cast<unsigned>(cqe.res));
  release_buffer(bid);
}

// Hands the datagram in buffer `bid` (`filled` bytes with the header and address) on.
void UringUdpEndpoint::hand_over(std::uint16_t bid, unsigned filled) {
  auto* out = io_uring_recvmsg_validate(buffers_.data(bid), static_cast<int>(filled), &shape_);
  // Cut (it cannot be, below 64 KiB) or taken after stop(): never handed on.
  if (out == nullptr || (out->flags & MSG_TRUNC) != 0 || stopped_) {
    ++counts_.dropped;
    return;
  }
  const auto* payload = static_cast<const std::byte*>(io_uring_recvmsg_payload(out, &shape_));
  const std::size_t size = io_uring_recvmsg_payload_length(out, static_cast<int>(filled), &shape_);
  const net::Address from(static_cast<const sockaddr*>(io_uring_recvmsg_name(out)),
                          std::min<socklen_t>(out->namelen, net::Address::kCapacity));
  ++counts_.datagrams_in;
  counts_.bytes_in += size;
  current_buffer_ = bid;
  events_.on_datagram(*this, {payload, size}, from);
  current_buffer_ = -1;
}

void UringUdpEndpoint::release_buffer(std::uint16_t bid) {
  if (holds_[bid] != 0 || current_buffer_ == bid) return;
  buffers_.give_back(bid);
  --buffers_out_;
  starved_ = false;
}

void UringUdpEndpoint::send_to(std::span<const std::byte> payload, const net::Address& to) {
  const std::size_t size = std::min(payload.size(), kMaxDatagram);
  const bool from_buffer =
      current_buffer_ >= 0 &&
      buffers_.holds(static_cast<std::uint16_t>(current_buffer_), payload.data(), size);
  if (sends_in_flight_ >= kMaxSends || (!from_buffer && copied_bytes_ + size > kMaxCopiedBytes)) {
    log::debug("datagram to {} dropped: {} sends in flight", to.to_string(), sends_in_flight_);
    ++counts_.dropped;
    return;
  }
  io_uring_sqe* sqe = pool_.datagram_entry();
  if (sqe == nullptr) {
    ++counts_.dropped;
    return;
  }
  const std::uint32_t slot = take_slot();
  Outgoing& out = *slots_[slot];
  out.to = to;
  if (from_buffer) {
    out.buffer = current_buffer_;
    ++holds_[static_cast<std::size_t>(current_buffer_)];
    out.vector = {const_cast<std::byte*>(payload.data()), size};
  } else {
    out.buffer = -1;
    out.copy.assign(payload.begin(), payload.begin() + static_cast<std::ptrdiff_t>(size));
    copied_bytes_ += size;
    out.vector = {out.copy.data(), size};
  }
  out.message = {};
  out.message.msg_name = out.to.data();
  out.message.msg_namelen = out.to.length();
  out.message.msg_iov = &out.vector;
  out.message.msg_iovlen = 1;
  // MSG_NOSIGNAL for symmetry with every other send; MSG_DONTWAIT: a full socket drops.
  io_uring_prep_sendmsg(sqe, fd_, &out.message, MSG_DONTWAIT | MSG_NOSIGNAL);
  io_uring_sqe_set_data64(sqe, detail::pack({UringOp::datagram_send, index_, slot}));
  ++sends_in_flight_;
  // Sends queued between two submissions reach the kernel in one syscall.
  if (pool_.submits() != last_submit_) {
    last_submit_ = pool_.submits();
    ++counts_.send_calls;
  }
}

void UringUdpEndpoint::on_sent(std::uint32_t slot, int result) {
  Outgoing& out = *slots_[slot];
  if (result >= 0) {
    ++counts_.datagrams_out;
    counts_.bytes_out += static_cast<std::uint64_t>(result);
  } else {
    ++counts_.dropped;
    log::debug("datagram to {} dropped: {}", out.to.to_string(), std::strerror(-result));
  }
  --sends_in_flight_;
  if (out.buffer >= 0) {
    const auto bid = static_cast<std::uint16_t>(out.buffer);
    --holds_[bid];
    release_buffer(bid);
  } else {
    copied_bytes_ -= out.copy.size();
  }
  free_slot(slot);
}

std::uint32_t UringUdpEndpoint::take_slot() {
  if (!free_slots_.empty()) {
    const std::uint32_t slot = free_slots_.back();
    free_slots_.pop_back();
    return slot;
  }
  slots_.push_back(std::make_unique<Outgoing>());
  return static_cast<std::uint32_t>(slots_.size() - 1);
}

void UringUdpEndpoint::free_slot(std::uint32_t slot) {
  Outgoing& out = *slots_[slot];
  if (out.copy.capacity() > kKeptCopy) {
    std::vector<std::byte>().swap(out.copy);
  } else {
    out.copy.clear();
  }
  free_slots_.push_back(slot);
}

}  // namespace soket::conn
