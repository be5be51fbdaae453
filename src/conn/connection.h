// Connection: one accepted TCP connection as a service sees it, whichever engine runs it
// (TcpConnection on epoll, UringConnection on io_uring). A service only ever holds this.
//
// The contract every engine keeps, and tests/unit/conn/connection_contract_test.cc proves on
// each:
// - on_open first; on_data with every byte in order; on_peer_closed at the peer's end of
//   stream; on_close exactly once, last, after which the connection does no I/O.
// - send() queues what the socket will not take now; past ConnectionSettings::
//   output_high_water the connection stops reading from its peer (backpressured()) until the
//   queue has drained to half, then offers the service what it left in its input again.
// - close_after_flush() is the polite end: nothing more is read for the service, every byte
//   queued reaches the peer, then a FIN, then input is read and dropped until the peer's FIN
//   (at most drain_timeout), so the close sends no RST that would destroy what the peer has
//   not read. close_now() ends at once.
// - A connection silent for idle_timeout, or without a finished handshake after
//   handshake_timeout, is closed with std::errc::timed_out.
//
// Loop-thread only.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <system_error>

#include "core/buffer.h"
#include "core/bytes.h"
#include "core/clock.h"
#include "net/address.h"

namespace soket::conn {

class Connection {
 public:
  using Id = std::uint64_t;

  virtual void send(std::span<const std::byte> bytes) = 0;
  void send(std::string_view text) { send(as_bytes(text)); }
  // Stops reading, sends what is queued, then closes: the polite end.
  virtual void close_after_flush() = 0;
  virtual void close_now(std::error_code reason = {}) = 0;
  // Marks the handshake done: handshake_timeout no longer applies. Idempotent. Called by the
  // connection at its first byte, unless the service's handshake_at_first_byte() is false.
  virtual void complete_handshake() = 0;
  virtual bool handshake_complete() const = 0;

  // Unique among one pool's connections, never reused.
  virtual Id id() const = 0;
  virtual const net::Address& peer() const = 0;
  virtual bool closed() const = 0;
  virtual std::uint64_t bytes_in() const = 0;
  virtual std::uint64_t bytes_out() const = 0;
  virtual std::size_t queued_output() const = 0;
  // True while the output is past the high-water mark and reading has stopped.
  virtual bool backpressured() const = 0;

 protected:
  ~Connection() = default;
};

// What a service implements to be told of a connection's life. Must not throw.
class ConnectionEvents {
 public:
  virtual void on_open(Connection&) noexcept {}
  // `input` holds every byte not yet consumed; consume what was handled. A service whose
  // replies outgrow its input may stop early once the connection is backpressured(): when
  // the output has drained, on_data is called again with what it left.
  virtual void on_data(Connection& connection, Buffer& input) noexcept = 0;
  // The peer sent its last byte (EOF); `input` holds what it left unconsumed. The
  // connection then flushes its output and closes.
  virtual void on_peer_closed(Connection&, Buffer&) noexcept {}
  // True when the service sends every byte back unchanged (an echo): an engine may then
  // move bulk input back out inside the kernel (splice) without calling on_data for it.
  virtual bool reflects() const noexcept { return false; }
  // True when one handler may send to many connections, several times each (a chat room's
  // fan-out): an engine may then hold a connection's output until the end of the loop's
  // iteration and write it with one call, instead of one call per send. (io_uring batches
  // every send of an iteration into one submission anyway.)
  virtual bool batches_sends() const noexcept { return false; }
  // True (the default) when a connection's first byte completes its handshake. A service
  // that returns false must call Connection::complete_handshake() when its own handshake
  // is done, or the connection is dropped at ConnectionSettings::handshake_timeout.
  virtual bool handshake_at_first_byte() const noexcept { return true; }
  // `reason` is empty for an orderly close, else the error or std::errc::timed_out (idle).
  virtual void on_close(Connection&, std::error_code) noexcept {}

 protected:
  ~ConnectionEvents() = default;
};

struct ConnectionSettings {
  std::size_t output_high_water = 4 * 1024 * 1024;
  Duration idle_timeout{0};  // Zero: never.
  // A connection that has not completed its handshake this long after it opened is dropped
  // (zero: never).
  Duration handshake_timeout{0};
  // After a polite end has flushed and sent its FIN, how long to wait for the peer's FIN
  // (discarding what it still sends) before closing anyway.
  Duration drain_timeout = std::chrono::seconds(5);
};

}  // namespace soket::conn
