// UringEcho: the echo service's TCP connections on io_uring instead of epoll
// (`soket echo server --backend io_uring`).
//
// Each connection has one multishot receive into buffers the kernel takes from a ring of
// provided buffers; each received buffer is sent back as it is and returned to the ring once
// sent. Everything one loop iteration produces is submitted with a single io_uring_enter, so
// a busy loop makes one syscall for many connections' reads and writes, where epoll needs a
// read and a send each. The loop blocks in that same syscall (this is its reactor::Waiter), and
// the kernel runs the receives' work there too (DEFER_TASKRUN), in one batch per iteration. When
// the buffers run out (peers that send without reading), a connection's receive waits until one
// comes back: that is the back-pressure here.
//
// Loop-thread only. Idle timeouts and --max-output do not apply on this backend.
#pragma once

#include <liburing.h>

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "core/result.h"
#include "net/fd.h"
#include "reactor/event_loop.h"

namespace soket::conn {

class UringEcho final : public reactor::Waiter {
 public:
  static Result<std::unique_ptr<UringEcho>> create(reactor::EventLoop& loop);
  ~UringEcho();
  UringEcho(const UringEcho&) = delete;
  UringEcho& operator=(const UringEcho&) = delete;

  void add(net::Fd fd);
  // Shuts every connection down; their slots free themselves as the kernel reports back.
  void close_all();
  std::size_t open_connections() const { return open_; }
  std::uint64_t bytes_in() const { return bytes_in_; }
  std::uint64_t bytes_out() const { return bytes_out_; }

  void wait(int epoll_fd, int timeout_ms) noexcept override;
  bool dispatch() noexcept override;

 private:
  static constexpr std::uint32_t kNoBatch = 0xFFFFFFFF;
  static constexpr std::size_t kBatch = 16;      // Buffers one send may carry.
  static constexpr std::size_t kMaxQueued = 64;  // Buffers one connection may hold (1 MiB).

  struct Connection {
    int fd = -1;
    std::uint32_t batch = kNoBatch;    // The SendBatch of the send in flight, if it has one.
    std::vector<std::uint16_t> queue;  // Buffers to send, in order; the front ones in flight.
    bool receiving = false;            // A multishot receive is armed.
    bool sending = false;              // One send in flight keeps the bytes in order.
    bool paused = false;               // Receiving stopped: too much queued (pause_receive).
    bool cancelling = false;           // Its receive is being cancelled by pause_receive.
    bool peer_done = false;            // The peer has sent all it will (end of stream).
    bool closing = false;              // Failed or shutting down: nothing more goes out.
  };
  static bool wants_receive(const Connection& c) {
    return !c.receiving && !c.closing && !c.paused && !c.peer_done;
  }
  struct Send {  // Per buffer id: how much of it has been sent back, of how much.
    std::uint32_t offset = 0, length = 0;
  };
  // The message header of a send of several buffers, alive until it completes. Pooled: only
  // connections with a send of several buffers in flight hold one, so idle ones cost nothing.
  struct SendBatch {
    msghdr header{};
    std::array<iovec, kBatch> iov{};
  };

  explicit UringEcho(reactor::EventLoop& loop) : loop_(loop) {}
  Result<void> set_up();
  void watch_epoll(int epoll_fd);
  io_uring_sqe* next_sqe();
  void arm_receive(std::uint32_t slot);
  void send_queued(std::uint32_t slot);
  std::uint32_t take_batch();
  void on_receive(const io_uring_cqe& cqe, std::uint32_t slot);
  void on_send(const io_uring_cqe& cqe, std::uint32_t slot);
  void pause_receive(std::uint32_t slot);
  void resume_receive(std::uint32_t slot);
  void release(std::uint16_t bid);
  void settle(std::uint32_t slot);
  std::byte* buffer(std::uint16_t bid) { return memory_.data() + std::size_t{bid} * kBufferSize; }

  static constexpr unsigned kBuffers = 1024;  // A power of two, as the ring requires.
  static constexpr std::size_t kBufferSize = 16 * 1024;
  static constexpr int kGroup = 1;

  reactor::EventLoop& loop_;
  io_uring ring_{};
  bool ring_ready_ = false;
  bool epoll_watched_ = false;  // A poll of the loop's epoll fd is armed in the ring.
  io_uring_buf_ring* buffer_ring_ = nullptr;
  std::vector<std::byte> memory_;
  std::vector<Send> sends_;
  std::vector<Connection> connections_;
  std::vector<std::uint32_t> free_slots_;
  std::deque<std::uint32_t> starved_;  // Receives waiting for a buffer, oldest first.
  std::vector<std::unique_ptr<SendBatch>> batches_;
  std::vector<std::uint32_t> free_batches_;
  std::size_t open_ = 0;
  std::uint64_t bytes_in_ = 0, bytes_out_ = 0;
};

}  // namespace soket::conn
