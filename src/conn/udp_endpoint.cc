#include "conn/udp_endpoint.h"

#include <sys/epoll.h>

#include <algorithm>
#include <cerrno>

#include "core/log.h"
#include "net/socket_ops.h"

namespace soket::conn {
namespace {
// Batches per readiness event before the other fds get a turn.
constexpr int kMaxBatchesPerEvent = 4;
}  // namespace

UdpEndpoint::UdpEndpoint(reactor::EventLoop& loop, int fd, bool shared, DatagramEvents& events)
    : loop_(loop), fd_(fd), shared_(shared), events_(events), storage_(kBatch * kMaxDatagram) {}

UdpEndpoint::~UdpEndpoint() {
  stop();
}

Result<void> UdpEndpoint::start() {
  const std::uint32_t events =
      EPOLLIN | EPOLLET | (shared_ ? static_cast<std::uint32_t>(EPOLLEXCLUSIVE) : 0u);
  if (auto r = loop_.watch(fd_, events, this); !r) return r;
  watching_ = true;
  return {};
}

void UdpEndpoint::stop() {
  if (watching_) loop_.unwatch(fd_);
  watching_ = false;
}

void UdpEndpoint::on_io(std::uint32_t) noexcept {
  receive_batches();
}

void UdpEndpoint::receive_batches() {
  if (!watching_) return;
  std::array<mmsghdr, kBatch> headers{};
  std::array<iovec, kBatch> vectors{};
  for (int batch = 0; batch < kMaxBatchesPerEvent; ++batch) {
    for (std::size_t i = 0; i < kBatch; ++i) {
      vectors[i] = {storage_.data() + i * kMaxDatagram, kMaxDatagram};
      headers[i].msg_hdr = {};
      headers[i].msg_hdr.msg_iov = &vectors[i];
      headers[i].msg_hdr.msg_iovlen = 1;
      headers[i].msg_hdr.msg_name = senders_[i].data();
      headers[i].msg_hdr.msg_namelen = net::Address::kCapacity;
    }
    int count;
    do {
      count = ::recvmmsg(fd_, headers.data(), kBatch, MSG_DONTWAIT, nullptr);
    } while (count < 0 && errno == EINTR);
    if (count <= 0) return;  // EAGAIN: drained (or another loop took them).
    in_batch_ = true;
    for (std::size_t i = 0; i < static_cast<std::size_t>(count); ++i) {
      const auto& header = headers[i].msg_hdr;
      *senders_[i].length_slot() = header.msg_namelen;
      if ((header.msg_flags & MSG_TRUNC) != 0) {
        ++dropped_;  // Cannot happen below kMaxDatagram; never pass on a cut datagram.
        continue;
      }
      ++datagrams_in_;
      bytes_in_ += headers[i].msg_len;
      events_.on_datagram(*this, {storage_.data() + i * kMaxDatagram, headers[i].msg_len},
                          senders_[i]);
    }
    in_batch_ = false;
    flush_replies();  // Before the next recvmmsg reuses the buffers the replies may point at.
    if (static_cast<std::size_t>(count) < kBatch) return;  // Drained: the next one, a new edge.
  }
  // Budget spent with datagrams left: no edge will say so, so come back for them.
  loop_.post([this, alive = std::weak_ptr<int>(alive_)] {
    if (!alive.expired()) receive_batches();
  });
}

bool UdpEndpoint::is_received_payload(std::span<const std::byte> payload) const {
  const auto* begin = storage_.data();
  return payload.data() >= begin && payload.data() + payload.size() <= begin + storage_.size();
}

void UdpEndpoint::send_to(std::span<const std::byte> payload, const net::Address& to) {
  if (!in_batch_ || queued_ == kBatch) {
    send_now(payload, to);
    return;
  }
  std::byte* bytes = const_cast<std::byte*>(payload.data());
  if (!is_received_payload(payload)) {
    // A reply the handler built: keep a copy until the batch is flushed.
    if (reply_storage_.empty()) reply_storage_.resize(kBatch * kMaxDatagram);
    bytes = reply_storage_.data() + queued_ * kMaxDatagram;
    std::copy(payload.begin(), payload.begin() + std::min(payload.size(), kMaxDatagram), bytes);
  }
  reply_vectors_[queued_] = {bytes, std::min(payload.size(), kMaxDatagram)};
  reply_to_[queued_] = to;
  ++queued_;
}

void UdpEndpoint::flush_replies() {
  std::array<mmsghdr, kBatch> headers{};
  for (std::size_t i = 0; i < queued_; ++i) {
    headers[i].msg_hdr.msg_iov = &reply_vectors_[i];
    headers[i].msg_hdr.msg_iovlen = 1;
    headers[i].msg_hdr.msg_name = const_cast<sockaddr*>(reply_to_[i].data());
    headers[i].msg_hdr.msg_namelen = reply_to_[i].length();
  }
  std::size_t done = 0;
  while (done < queued_) {
    const int sent = ::sendmmsg(fd_, headers.data() + done, static_cast<unsigned>(queued_ - done),
                                MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) {
      // The kernel took no more (EAGAIN, or an error for the first one): drop it and go on.
      ++dropped_;
      ++done;
      continue;
    }
    for (int i = 0; i < sent; ++i) {
      ++datagrams_out_;
      bytes_out_ += headers[done + static_cast<std::size_t>(i)].msg_len;
    }
    done += static_cast<std::size_t>(sent);
  }
  queued_ = 0;
}

void UdpEndpoint::send_now(std::span<const std::byte> payload, const net::Address& to) {
  auto sent = net::try_send_to(fd_, payload, to);
  if (sent) {
    ++datagrams_out_;
    bytes_out_ += *sent;
    return;
  }
  ++dropped_;
  log::debug("datagram to {} dropped: {}", to.to_string(), sent.error().message());
}

}  // namespace soket::conn
