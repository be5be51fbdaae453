// UdpEndpoint: the epoll engine's DatagramEndpoint, a bound UDP socket watched on one loop,
// edge-triggered (see TcpConnection): a batch shorter than asked means the queue is empty, and
// when the per-event budget runs out the rest is taken after the loop's other handlers. Datagrams
// are taken in batches with recvmmsg(2), one syscall for up to kBatch of them. What is sent goes
// out with sendmmsg(2), up to kSendBatch datagrams per syscall: the replies of a receive batch at
// its end, anything else (a chat message from a TCP member to the UDP members) at the end of the
// loop's iteration. Like Acceptor it does not own the fd: several loops may share one socket
// (EPOLLEXCLUSIVE) or each have its own (SO_REUSEPORT).
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

#include "conn/datagram_endpoint.h"
#include "net/address.h"
#include "reactor/event_loop.h"

namespace soket::conn {

class UdpEndpoint final : public DatagramEndpoint, public reactor::IoHandler {
 public:
  static constexpr std::size_t kBatch = 16;
  static constexpr std::size_t kSendBatch = 64;

  UdpEndpoint(reactor::EventLoop& loop, int fd, bool shared, DatagramEvents& events);
  ~UdpEndpoint() override;
  UdpEndpoint(const UdpEndpoint&) = delete;
  UdpEndpoint& operator=(const UdpEndpoint&) = delete;

  Result<void> start();
  void stop() override;
  // Best effort, as UDP is: a datagram the kernel cannot take when it is sent is dropped and
  // counted. It is queued (copied, unless it is a payload of the receive batch under way) and
  // sent with the others queued, at the end of the batch or of the loop's iteration.
  void send_to(std::span<const std::byte> payload, const net::Address& to) override;

  void on_io(std::uint32_t events) noexcept override;

 private:
  void receive_batches();
  void flush_replies();
  bool is_received_payload(std::span<const std::byte> payload) const;

  reactor::EventLoop& loop_;
  int fd_;
  bool shared_;
  bool watching_ = false;
  DatagramEvents& events_;
  std::vector<std::byte> storage_;  // kBatch slots of kMaxDatagram, allocated once.
  std::array<net::Address, kBatch> senders_;
  // Datagrams queued to go out: each one's bytes are a received payload (`received`: valid
  // until the batch ends, which flushes them) or a copy at `offset` in reply_bytes_.
  struct Queued {
    const std::byte* received = nullptr;
    std::size_t offset = 0;
    std::size_t size = 0;
    net::Address to;
  };
  bool in_batch_ = false;
  bool flush_deferred_ = false;  // A flush at the iteration's end is due.
  std::vector<Queued> queued_;
  std::vector<std::byte> reply_bytes_;
  // Posted work holds a weak_ptr to this: it does nothing once the endpoint is gone.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace soket::conn
