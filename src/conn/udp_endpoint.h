// UdpEndpoint: a bound UDP socket watched on one loop, edge-triggered (see TcpConnection):
// a batch shorter than asked means the queue is empty, and when the per-event budget runs
// out the rest is taken after the loop's other handlers. Datagrams are taken in batches with
// recvmmsg(2), one syscall for up to kBatch of them, and the replies a handler sends during a
// batch go out together with one sendmmsg(2) at its end. Like Acceptor it does not own the fd:
// several loops may share one socket (EPOLLEXCLUSIVE) or each have its own (SO_REUSEPORT).
//
// Loop-thread only.
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "net/address.h"
#include "reactor/event_loop.h"

namespace soket::conn {

class UdpEndpoint;

class DatagramEvents {
 public:
  // `payload` is valid only during the call.
  virtual void on_datagram(UdpEndpoint& endpoint, std::span<const std::byte> payload,
                           const net::Address& from) noexcept = 0;

 protected:
  ~DatagramEvents() = default;
};

class UdpEndpoint final : public reactor::IoHandler {
 public:
  static constexpr std::size_t kMaxDatagram = 65536;  // > 65,507, the IPv4 UDP maximum.
  static constexpr std::size_t kBatch = 16;

  UdpEndpoint(reactor::EventLoop& loop, int fd, bool shared, DatagramEvents& events);
  ~UdpEndpoint();
  UdpEndpoint(const UdpEndpoint&) = delete;
  UdpEndpoint& operator=(const UdpEndpoint&) = delete;

  Result<void> start();
  void stop();
  // Best effort, as UDP is: a datagram the kernel cannot take now is dropped and counted.
  // During a receive batch it is queued (copied, unless it is the received payload itself)
  // and sent with the batch's other replies.
  void send_to(std::span<const std::byte> payload, const net::Address& to);

  std::uint64_t datagrams_in() const { return datagrams_in_; }
  std::uint64_t datagrams_out() const { return datagrams_out_; }
  std::uint64_t bytes_in() const { return bytes_in_; }
  std::uint64_t bytes_out() const { return bytes_out_; }
  std::uint64_t dropped() const { return dropped_; }

  void on_io(std::uint32_t events) noexcept override;

 private:
  void receive_batches();
  void send_now(std::span<const std::byte> payload, const net::Address& to);
  void flush_replies();
  bool is_received_payload(std::span<const std::byte> payload) const;

  reactor::EventLoop& loop_;
  int fd_;
  bool shared_;
  bool watching_ = false;
  DatagramEvents& events_;
  std::vector<std::byte> storage_;  // kBatch slots of kMaxDatagram, allocated once.
  std::array<net::Address, kBatch> senders_;
  // Replies queued during a batch: where each one's bytes are, and copies when needed.
  bool in_batch_ = false;
  std::size_t queued_ = 0;
  std::array<iovec, kBatch> reply_vectors_{};
  std::array<net::Address, kBatch> reply_to_;
  std::vector<std::byte> reply_storage_;  // kBatch slots of kMaxDatagram, made when needed.
  std::uint64_t datagrams_in_ = 0, datagrams_out_ = 0, bytes_in_ = 0, bytes_out_ = 0;
  std::uint64_t dropped_ = 0;
  // Posted work holds a weak_ptr to this: it does nothing once the endpoint is gone.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace soket::conn
