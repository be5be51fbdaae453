// UringConnection: the io_uring engine's Connection (conn/connection.h has the contract).
//
// It never makes a syscall of its own on the data path: its owner (UringConnections) arms its
// receive and its send in the ring and hands it their completions. A connection has at most
// one receive in flight (one buffer from the shared ring, so a paused connection stops
// taking buffers at once) and one send (the kernel may reorder two sends of one socket),
// carrying everything queued. What a service sends in one loop iteration goes out in one
// send, submitted with every other connection's in one io_uring_enter.
//
// Its state changes mark it for the owner's next update (before the loop waits), which arms
// what the state asks for and closes what is done: a service may call close_now() inside
// on_data without the connection vanishing under it.
//
// Loop-thread only.
#pragma once

#include <cstdint>
#include <span>
#include <system_error>

#include "conn/connection.h"
#include "conn/detail/deadlines.h"
#include "conn/detail/send_queue.h"
#include "core/buffer.h"
#include "net/address.h"
#include "reactor/event_loop.h"

namespace soket::conn {

class UringConnections;

class UringConnection final : public Connection {
 public:
  UringConnection(UringConnections& owner, int fd, const net::Address& peer, Id id,
                  std::uint32_t slot);
  ~UringConnection();
  UringConnection(const UringConnection&) = delete;
  UringConnection& operator=(const UringConnection&) = delete;

  void start();

  using Connection::send;
  void send(std::span<const std::byte> bytes) override;
  void close_after_flush() override;
  void close_now(std::error_code reason = {}) override;
  void complete_handshake() override { deadlines_.handshake_done = true; }
  bool handshake_complete() const override { return deadlines_.handshake_done; }
  Id id() const override { return id_; }
  const net::Address& peer() const override { return peer_; }
  bool closed() const override { return closed_; }
  std::uint64_t bytes_in() const override { return bytes_in_; }
  std::uint64_t bytes_out() const override { return bytes_out_; }
  // What the peer has not taken, as epoll counts it after its write: bytes sent since the
  // ring was last submitted are not the kernel's yet, so they count once it has been (a
  // reader's socket takes them at once; a non-reader's send stays in flight).
  std::size_t queued_output() const override;
  bool backpressured() const override { return paused_; }

  // For the owner: what to arm, and the completions of what it armed.
  int fd() const { return fd_; }
  std::uint32_t slot() const { return slot_; }
  bool wants_receive() const;
  // How many bytes the next receive may take, at most `buffer_size`: no more than the room
  // left below --max-output, so an echo's queue never passes the limit.
  std::uint32_t receive_size(std::size_t buffer_size) const;
  bool wants_send() const;
  std::span<const std::byte> next_send() { return output_.front(); }
  void receive_armed() { receiving_ = true; }
  // How many of its receives in a row found the shared ring empty: one that did is armed
  // first at the next update, the longest starved first of all.
  std::uint16_t starved_rounds() const { return starved_rounds_; }
  bool starved() const { return starved_rounds_ > 0; }
  // Its last receive filled a whole buffer: a stream, whose next receive takes a large one.
  bool bulk() const { return bulk_; }
  void set_bulk(bool bulk) { bulk_ = bulk; }
  void send_armed() { sending_ = true; }
  void on_received(std::span<const std::byte> bytes);
  // For a service that reflects (an echo): whether bytes just received may go straight back
  // out from their receive buffer, nothing else waiting to go first (conn/uring_connections.h).
  bool can_reflect() const;
  // `size` bytes came and their send from the receive buffer is armed (our one send in flight).
  void on_reflecting(std::size_t size);
  // That send's completion: what the socket did not take (MSG_DONTWAIT) is queued as output.
  void on_reflected(int result, std::span<const std::byte> bytes);
  void on_receive_ended(int result);  // 0: end of stream; else -errno.
  void on_sent(int result);
  // Whatever is due once the iteration's completions are handled: the FIN after the last
  // queued byte, the close after the peer's FIN. True once the connection is closed and the
  // kernel holds no operation of it: it can be released.
  bool settle();
  unsigned operations = 0;  // Armed in the kernel and not yet completed.

 private:
  void mark();
  bool take_input(std::size_t size);
  void offer_input();
  void on_end_of_stream();
  void start_drain();
  bool drained_already();
  void arm_timer();
  void on_timer();

  UringConnections& owner_;
  Id id_;
  int fd_;
  std::uint32_t slot_;
  net::Address peer_;
  Buffer input_;
  detail::SendQueue output_;
  detail::Deadlines deadlines_;
  reactor::TimerId timer_;
  std::uint64_t bytes_in_ = 0, bytes_out_ = 0;
  std::size_t fresh_output_ = 0;  // Queued since the ring's submit number fresh_stamp_.
  std::uint64_t fresh_stamp_ = 0;
  bool receiving_ = false;            // A receive is in flight.
  bool sending_ = false;              // A send is in flight.
  bool paused_ = false;               // Past the high-water mark: no receive until half drained.
  bool closing_ = false;              // close_after_flush(): the FIN follows the last queued byte.
  bool peer_done_ = false;            // The peer's FIN came: after the flush, close.
  bool write_shut_ = false;           // Our FIN is out: input is dropped until the peer's.
  bool closed_ = false;               // on_close was called: nothing more is sent or offered.
  bool shut_down_ = false;            // shutdown(SHUT_RDWR) ends what the kernel still holds.
  std::uint16_t starved_rounds_ = 0;  // Receives in a row that found none.
  bool end_pending_ = false;          // The peer's FIN came while paused with input left over.
  bool bulk_ = false;                 // The last receive filled its buffer.
  std::error_code failure_;           // A send could not be queued: closed at the next settle().
};

}  // namespace soket::conn
