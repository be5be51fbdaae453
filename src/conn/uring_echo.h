// UringEcho: the echo service's TCP connections on io_uring instead of epoll
// (`soket echo server --backend io_uring`).
//
// Each connection has one multishot receive (single receives near its limit) into buffers the
// kernel takes from a ring of provided buffers shared by all connections. Each received buffer is
// copied at once into its connection's own output queue and handed back to the ring, so the shared
// ring is only ever held for the length of one dispatch: a peer that sends without reading fills
// its own queue, never the ring, and cannot starve the others. Past --max-output queued bytes its
// receive is cancelled (paused) until the queue drains to half. One send per connection is in
// flight at a time (the kernel may reorder two sends of one socket), carrying everything queued.
//
// Everything one loop iteration produces is submitted with one io_uring_enter (more only when
// the submission queue fills), so a busy loop makes one syscall for many connections' reads
// and writes, where epoll needs a read and a send each. The loop blocks in that same syscall
// (this is its reactor::Waiter), and the kernel runs the receives' work there too
// (DEFER_TASKRUN), in one batch per iteration.
//
// Invariants that keep it safe against hostile peers:
// - A slot (and its socket) is reused only once the kernel holds no operation of it, so a late
//   completion can never be taken for a new connection.
// - An operation that finds the submission queue full is never lost: the connection is
//   remembered and its operations are armed again before the next wait (`revisit_`).
// - The ring is destroyed only after every operation in flight has completed or been
//   cancelled and reaped, so the kernel never reads or writes memory that is gone.
//
// A connection that has not sent its first byte within the handshake timeout, or is silent for
// the idle timeout, is closed: one loop timer each, at its nearest deadline.
//
// Loop-thread only.
#pragma once

#include <liburing.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "conn/detail/echo_queue.h"
#include "conn/detail/provided_buffers.h"
#include "conn/detail/ring.h"
#include "core/clock.h"
#include "core/result.h"
#include "net/fd.h"
#include "reactor/event_loop.h"

namespace soket::conn {

class UringEcho final : public reactor::Waiter {
 public:
  struct Settings {
    // Bytes queued for one peer past which its receive pauses (--max-output).
    std::size_t output_limit = 4 * 1024 * 1024;
    Duration idle_timeout{0};       // Zero: never (--idle-timeout).
    Duration handshake_timeout{0};  // Until the first byte; zero: never (--handshake-timeout).
    // Submission queue entries. Tests set SOKET_URING_ENTRIES to force a tiny ring.
    unsigned ring_entries = 4096;
  };
  using OnClosed = std::function<void()>;

  // `on_closed` hears of each connection once it is closed (it may be null).
  static Result<std::unique_ptr<UringEcho>> create(reactor::EventLoop& loop, Settings settings,
                                                   OnClosed on_closed = nullptr);
  // Cancels what is still in flight and waits (bounded) for the kernel to let go of it.
  ~UringEcho();
  UringEcho(const UringEcho&) = delete;
  UringEcho& operator=(const UringEcho&) = delete;

  void add(net::Fd fd);
  // The polite end (SIGTERM): every connection stops receiving, sends back everything it had
  // received, shuts its write side down, then reads and drops input until the peer closes (a
  // close with input unread would reset the connection and lose what is still on its way).
  // `on_empty` runs once no connection is left.
  void drain(std::function<void()> on_empty);
  std::size_t open_connections() const { return open_; }
  std::uint64_t bytes_in() const { return bytes_in_; }
  std::uint64_t bytes_out() const { return bytes_out_; }

  void wait(int epoll_fd, int timeout_ms) noexcept override;
  bool dispatch() noexcept override;

 private:
  struct Connection {
    int fd = -1;
    std::uint32_t generation = 0;  // Tells a timer of this connection from one of an older.
    unsigned operations = 0;       // In flight in the kernel: the slot waits for zero.
    detail::EchoQueue output;      // Received, not yet sent back.
    TimePoint opened, last_active;
    reactor::TimerId timer;
    bool greeted = false;         // Its first byte came (the handshake timeout is over).
    bool receiving = false;       // A receive is armed.
    bool multishot = false;       // That receive is multishot (else it takes one buffer).
    bool cancelling = false;      // That receive is being cancelled.
    bool send_in_flight = false;  // One send at a time keeps the bytes in order.
    bool paused = false;          // Receiving stopped: --max-output bytes queued.
    bool starved = false;         // Its receive found no buffer: armed again after dispatch.
    bool peer_done = false;       // The peer has sent all it will (end of stream).
    bool draining = false;        // Shutting down: no more input is echoed.
    bool write_shut = false;      // Drained and shut down for writing: input is dropped now.
    bool closing = false;         // Failed or timed out: nothing more goes out.
    bool shut_down = false;       // shutdown(SHUT_RDWR) was called to end its operations.
    bool revisit = false;         // In revisit_: an operation found the queue full.
  };

  UringEcho(reactor::EventLoop& loop, Settings settings, OnClosed on_closed)
      : loop_(loop), settings_(settings), on_closed_(std::move(on_closed)) {}
  Result<void> set_up();
  io_uring_sqe* entry_for(std::uint32_t slot);
  void update(std::uint32_t slot);
  void arm_receive(std::uint32_t slot);
  void cancel_receive(std::uint32_t slot);
  void send_next(std::uint32_t slot);
  void watch_epoll(int epoll_fd);
  void on_receive(const io_uring_cqe& cqe, std::uint32_t slot);
  void on_send(const io_uring_cqe& cqe, std::uint32_t slot);
  void take_input(Connection& c, const io_uring_cqe& cqe);
  void settle(std::uint32_t slot);
  void close_slot(std::uint32_t slot);
  void arm_timer(std::uint32_t slot);
  void on_timer(std::uint32_t slot, std::uint32_t generation);
  void revisit_later(std::uint32_t slot);
  void revisit_all();
  void reap_everything();
  bool wants_receive(const Connection& c) const;
  // How many more bytes the connection may queue before it reaches --max-output.
  std::size_t room(const Connection& c) const {
    const std::size_t queued = c.output.size();
    return queued < settings_.output_limit ? settings_.output_limit - queued : 0;
  }

  // A multishot receive may deliver a batch of buffers (the kernel retries up to 32 times in
  // one go) before its cancel lands: it is armed only while this much room is left.
  static constexpr std::size_t kMultishotRoom = 32 * detail::ProvidedBuffers::kSize;

  reactor::EventLoop& loop_;
  Settings settings_;
  OnClosed on_closed_;
  detail::ProvidedBuffers buffers_;
  // Declared after buffers_, so destroyed before them: the ring's teardown unregisters them.
  detail::Ring ring_;
  bool ring_ready_ = false;     // Set up, with the buffers registered.
  bool epoll_watched_ = false;  // A poll of the loop's epoll fd is armed in the ring.
  std::vector<Connection> connections_;
  std::vector<std::uint32_t> free_slots_;
  std::vector<std::uint32_t> starved_;  // Receives that found no buffer in this dispatch.
  std::vector<std::uint32_t> revisit_;  // Connections with an operation not yet armed.
  std::size_t in_flight_ = 0;           // Every operation in the kernel, for the destructor.
  std::size_t open_ = 0;
  std::uint32_t next_generation_ = 1;
  bool draining_ = false;
  std::function<void()> on_empty_;
  std::uint64_t bytes_in_ = 0, bytes_out_ = 0;
};

}  // namespace soket::conn
