// UringUdpEndpoint: the io_uring engine's DatagramEndpoint, on its loop's ring (owned by
// UringConnections, which routes this endpoint's completions to it).
//
// One multishot recvmsg stays armed on the socket and takes each datagram into a buffer of
// the endpoint's own provided buffer ring (64 KiB each, so no datagram is ever cut); every
// datagram of a completion batch is handed to the service, and each datagram it sends is one
// sendmsg entry in the ring: all the sends of a loop iteration, a chat message fanned out to
// every UDP member included, reach the kernel in one io_uring_enter. An echo goes out from the
// very buffer it arrived in, which returns to the ring when that send completes.
//
// Bounds, against a flood: kBuffers receive buffers (a datagram that finds none waits in the
// socket's own receive queue, which the kernel bounds), and at most kMaxSends datagrams and
// kMaxCopiedBytes of copies in flight; past them a datagram is dropped and counted, as UDP
// allows. Sends use MSG_DONTWAIT, so a full socket drops rather than queues, as on epoll.
//
// Loop-thread only. Like UdpEndpoint it does not own the fd.
#pragma once

#include <liburing.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "conn/datagram_endpoint.h"
#include "conn/detail/provided_buffers.h"
#include "core/result.h"

namespace soket::conn {

class UringConnections;

class UringUdpEndpoint final : public DatagramEndpoint {
 public:
  static constexpr unsigned kBuffers = 256;
  // Sends leave the slots only when their completions are reaped, at the next dispatch, so
  // these bound one loop iteration's fan-out (1,000 members x 20 lines is 20,000).
  static constexpr std::size_t kMaxSends = 1 << 20;
  static constexpr std::size_t kMaxCopiedBytes = 64 * 1024 * 1024;

  // `index` names the endpoint in its operations' user_data; its buffer group is 2 + index.
  UringUdpEndpoint(UringConnections& pool, int fd, std::uint32_t index, DatagramEvents& events);
  ~UringUdpEndpoint() override = default;
  UringUdpEndpoint(const UringUdpEndpoint&) = delete;
  UringUdpEndpoint& operator=(const UringUdpEndpoint&) = delete;

  // Registers the buffers with `ring` and arms the receive.
  Result<void> start(io_uring& ring);
  void stop() override;
  void send_to(std::span<const std::byte> payload, const net::Address& to) override;

  // For UringConnections.
  void on_received(const io_uring_cqe& cqe);
  void on_sent(std::uint32_t slot, int result);
  // Arms the receive if it ended and can go on; called before each wait.
  void refresh();
  void abandon() { buffers_.abandon(); }
  // Times the receive found every buffer taken and waited for one to come back.
  std::uint64_t starvations() const { return starvations_; }

 private:
  struct Outgoing {
    msghdr message{};
    iovec vector{};
    net::Address to;
    int buffer = -1;  // The receive buffer it is sent from, or -1: from `copy`.
    std::vector<std::byte> copy;
  };

  void arm_receive();
  void hand_over(std::uint16_t bid, unsigned filled);
  void release_buffer(std::uint16_t bid);
  std::uint32_t take_slot();
  void free_slot(std::uint32_t slot);

  UringConnections& pool_;
  int fd_;
  std::uint32_t index_;
  DatagramEvents& events_;
  detail::ProvidedBuffers buffers_;
  msghdr shape_{};  // What the multishot receive fills: the sender's address and the payload.
  bool receiving_ = false, stopped_ = false, starved_ = false;
  int current_buffer_ = -1;           // The buffer whose datagram the service is handling.
  std::vector<std::uint16_t> holds_;  // Per buffer: sends still reading it.
  unsigned buffers_out_ = 0;          // Buffers the kernel has filled and we still hold.
  std::vector<std::unique_ptr<Outgoing>> slots_;
  std::vector<std::uint32_t> free_slots_;
  std::size_t sends_in_flight_ = 0, copied_bytes_ = 0;
  std::uint64_t last_submit_ = ~std::uint64_t{0};  // The pool's submit count at the last send.
  std::uint64_t starvations_ = 0;
};

}  // namespace soket::conn
