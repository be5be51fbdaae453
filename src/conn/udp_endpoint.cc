#include "conn/udp_endpoint.h"

#include <sys/epoll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

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
  flush_replies();  // What was sent before the end goes out, as a write would.
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
        ++counts_.dropped;  // Cannot happen below kMaxDatagram; never pass on a cut datagram.
        continue;
      }
      ++counts_.datagrams_in;
      counts_.bytes_in += headers[i].msg_len;
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
  if (queued_.size() == kSendBatch) flush_replies();
  const std::size_t size = std::min(payload.size(), kMaxDatagram);
  Queued queued{.to = to};
  queued.size = size;
  if (in_batch_ && is_received_payload(payload)) {
    queued.received = payload.data();  // An echo: sent before the next recvmmsg reuses it.
  } else {
    queued.offset = reply_bytes_.size();
    reply_bytes_.insert(reply_bytes_.end(), payload.begin(), payload.begin() + size);
  }
  queued_.push_back(queued);
  // Outside a receive batch (a message from elsewhere fanned out to many), the sends of this
  // iteration go out together at its end.
  if (!in_batch_ && !flush_deferred_) {
    flush_deferred_ = true;
    loop_.defer([this, alive = std::weak_ptr<int>(alive_)] {
      if (alive.expired()) return;
      flush_deferred_ = false;
      flush_replies();
    });
  }
}

void UdpEndpoint::flush_replies() {
  if (queued_.empty()) return;
  std::array<iovec, kSendBatch> vectors{};
  std::array<mmsghdr, kSendBatch> headers{};
  for (std::size_t i = 0; i < queued_.size(); ++i) {
    const Queued& q = queued_[i];
    const std::byte* bytes = q.received != nullptr ? q.received : reply_bytes_.data() + q.offset;
    vectors[i] = {const_cast<std::byte*>(bytes), q.size};
    headers[i].msg_hdr.msg_iov = &vectors[i];
    headers[i].msg_hdr.msg_iovlen = 1;
    headers[i].msg_hdr.msg_name = const_cast<sockaddr*>(q.to.data());
    headers[i].msg_hdr.msg_namelen = q.to.length();
  }
  std::size_t done = 0;
  while (done < queued_.size()) {
    const int sent =
        ::sendmmsg(fd_, headers.data() + done, static_cast<unsigned>(queued_.size() - done),
                   MSG_DONTWAIT | MSG_NOSIGNAL);
    ++counts_.send_calls;
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) {
      // The kernel took no more (EAGAIN, or an error for the first one): drop it and go on.
      log::debug("datagram to {} dropped: {}", queued_[done].to.to_string(),
                 sent < 0 ? std::strerror(errno) : "not taken");
      ++counts_.dropped;
      ++done;
      continue;
    }
    for (int i = 0; i < sent; ++i) {
      ++counts_.datagrams_out;
      counts_.bytes_out += headers[done + static_cast<std::size_t>(i)].msg_len;
    }
    done += static_cast<std::size_t>(sent);
  }
  queued_.clear();
  // A burst's copies give their memory back; the usual few bytes keep theirs.
  if (reply_bytes_.capacity() > kMaxDatagram) {
    std::vector<std::byte>().swap(reply_bytes_);
  } else {
    reply_bytes_.clear();
  }
}

}  // namespace soket::conn
