// UringConnections: the io_uring engine's ConnectionPool, for every service: its TCP
// connections and, on the same ring, its UDP endpoints (UringUdpEndpoint).
//
// Receives take their buffer, when bytes arrive, from a ring of provided buffers shared by all
// connections (an idle connection holds none); each buffer is copied at once into its
// connection's input and handed back, so the ring is held only for one dispatch and a peer that
// sends without reading fills its own queue, never the ring. A stream (a receive that filled
// its buffer) takes its next receive from a second ring of large buffers; for a service that
// reflects (an echo), what arrives there goes straight back out from that buffer, never
// copied through user space, with MSG_DONTWAIT, so the buffer comes back as soon as the
// submission ends (what the socket did not take is queued as any output): a peer that never
// reads cannot keep a large buffer. Every operation one loop
// iteration produces is submitted with one io_uring_enter, which is also where the loop
// blocks (this is its reactor::Waiter) and where the kernel runs the receives' work
// (DEFER_TASKRUN), in one batch. A busy loop so makes one syscall for many connections'
// reads and writes, where epoll needs a read and a send each.
//
// Invariants that keep it safe against hostile peers:
// - A slot (and its socket) is reused only once the kernel holds no operation of it, so a
//   late completion can never be taken for a new connection.
// - An operation that finds the submission queue full is not lost: the queue is handed to the
//   kernel and the operation armed then, or at the next iteration.
// - The ring is destroyed only after every operation in flight has completed or been
//   cancelled and reaped, so the kernel never reads or writes memory that is gone.
//
// Loop-thread only.
#pragma once

#include <liburing.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "conn/connection_pool.h"
#include "conn/detail/provided_buffers.h"
#include "conn/detail/ring.h"
#include "conn/udp_endpoint.h"
#include "conn/uring_connection.h"
#include "conn/uring_udp_endpoint.h"
#include "core/result.h"
#include "reactor/event_loop.h"

namespace soket::conn {

class UringConnections final : public ConnectionPool, public reactor::Waiter {
 public:
  // Submission entries; tests set SOKET_URING_ENTRIES to force a tiny ring.
  static constexpr unsigned kRingEntries = 4096;

  // Fails when the kernel (or a seccomp filter) refuses io_uring or its buffer ring.
  static Result<std::unique_ptr<UringConnections>> create(reactor::EventLoop& loop,
                                                          ConnectionEvents& events,
                                                          ConnectionSettings settings,
                                                          OnReleased on_released = nullptr);
  // Cancels what is still in flight and waits (bounded) for the kernel to let go of it.
  ~UringConnections() override;
  UringConnections(const UringConnections&) = delete;
  UringConnections& operator=(const UringConnections&) = delete;

  UringConnection* add(net::Fd fd, const net::Address& peer) override;
  Result<DatagramEndpoint*> add_datagrams(int fd, bool shared, DatagramEvents& events) override;
  std::size_t size() const override { return open_; }
  void close_all(OnEmpty on_empty) override;
  std::uint64_t bytes_in() const override;
  std::uint64_t bytes_out() const override;
  std::string_view engine() const override { return "io_uring"; }

  void wait(int epoll_fd, int timeout_ms) noexcept override;
  bool dispatch() noexcept override;

  // For UringConnection.
  reactor::EventLoop& loop() const { return loop_; }
  ConnectionEvents& events() const { return events_; }
  const ConnectionSettings& settings() const { return settings_; }
  // Counts the times the queued operations were handed to the kernel.
  std::uint64_t submits() const { return submits_; }
  bool draining() const { return draining_; }
  // The connection's state changed: it is updated before the loop next waits.
  void mark(std::uint32_t slot);
  // For UringUdpEndpoint: a submission entry, counted in flight; null when the queue stays
  // full after handing it to the kernel once.
  io_uring_sqe* datagram_entry();

 private:
  UringConnections(reactor::EventLoop& loop, ConnectionEvents& events, ConnectionSettings settings,
                   OnReleased on_released)
      : loop_(loop),
        events_(events),
        settings_(settings),
        on_released_(std::move(on_released)),
        buffers_(stream_buffer_shape()) {}
  // kStreamBuffers, but for tests: SOKET_URING_STREAM_BUFFERS sets a (tiny) count.
  static detail::BufferShape stream_buffer_shape();
  Result<void> set_up();
  io_uring_sqe* entry_for(UringConnection& c);
  io_uring_sqe* entry_making_room();
  void update_marked();
  bool update(UringConnection& c);
  bool arm_receive(UringConnection& c);
  bool arm_send(UringConnection& c);
  void release(UringConnection& c);
  void watch_epoll(int epoll_fd);
  void on_receive(const io_uring_cqe& cqe, UringConnection& c);
  detail::ProvidedBuffers& buffers_of(const io_uring_cqe& cqe);
  bool reflect(UringConnection& c, std::uint16_t bid, std::uint32_t size);
  void on_reflected(const io_uring_cqe& cqe, UringConnection& c);
  void count_completion(const io_uring_cqe& cqe);
  void warn_of_lost_completions();
  void reap_everything();

  reactor::EventLoop& loop_;
  ConnectionEvents& events_;
  ConnectionSettings settings_;
  OnReleased on_released_;
  unsigned ring_entries_ = kRingEntries;
  detail::ProvidedBuffers buffers_;
  detail::ProvidedBuffers bulk_buffers_{detail::kBulkBuffers};
  bool bulk_ready_ = false;  // Registered: without them, streams use the stream buffers.
  std::vector<std::uint32_t> reflected_sizes_;  // By large buffer: the bytes its send carries.
  std::vector<std::unique_ptr<UringUdpEndpoint>> datagrams_;   // Index: its user_data's.
  std::vector<std::unique_ptr<UdpEndpoint>> epoll_datagrams_;  // Those io_uring refused.
  // Declared after the buffers (datagrams_ hold theirs), so destroyed before them: the ring's
  // teardown unregisters them.
  detail::Ring ring_;
  bool ring_ready_ = false;     // Set up, with the buffers registered.
  bool epoll_watched_ = false;  // A poll of the loop's epoll fd is armed in the ring.
  std::vector<std::unique_ptr<UringConnection>> slots_;  // Null: free.
  std::vector<std::uint32_t> free_slots_;
  std::vector<std::uint32_t> marked_;  // Slots to update before the next wait.
  std::vector<bool> is_marked_;
  std::vector<io_uring_cqe> received_;  // A batch's receive completions, handled after its sends.
  std::size_t last_receives_ = 0;       // How many the last batch had.
  unsigned lost_completions_ = 0;       // As last reported by the kernel.
  std::size_t in_flight_ = 0;           // Every operation in the kernel, for the destructor.
  std::uint64_t submits_ = 0;           // How many times the ring was handed to the kernel.
  std::size_t open_ = 0;
  Connection::Id next_id_ = 1;
  bool draining_ = false;
  bool released_since_wait_ = false;
  OnEmpty on_empty_;
  std::uint64_t released_bytes_in_ = 0, released_bytes_out_ = 0;
};

}  // namespace soket::conn
