// TcpConnection: one accepted TCP socket on one loop, with an input and an output Buffer.
//
// The socket is watched once, edge-triggered, for input and output: the kernel reports each
// new arrival and each time the send buffer drains, so no epoll_ctl is needed as the
// connection's state changes, and epoll_wait does not poll every busy socket again (which
// level-triggering costs). The price of edges is that readiness not acted on is not reported
// again: a read shorter than asked means the socket is drained, and a read stopped early
// (budget spent, or back-pressure) is resumed explicitly, never left to an event.
//
// Writes go straight to the socket while nothing is queued; only the leftover is buffered
// until the next output edge. When the output passes the high-water mark the connection
// stops reading from this peer until it drains (back-pressure), so a peer that sends
// without reading cannot make us buffer without bound.
//
// A polite end (close_after_flush) never resets the peer: once the output is flushed the
// connection shuts down its write side (the peer gets every byte, then a FIN) and reads and
// discards until the peer's FIN, for at most ConnectionSettings::drain_timeout. Closing a
// socket with unread input would make the kernel send an RST and drop its send queue, so the
// peer would lose echoed bytes that we had already counted as sent.
//
// Handshake: a connection must finish its handshake within handshake_timeout or be dropped
// (slowloris). What "finished" means is the service's: by default the first byte received;
// a service whose ConnectionEvents::handshake_at_first_byte() is false calls
// complete_handshake() itself (chat: once a member has joined the room).
//
// Loop-thread only. Owned by a ConnectionTable; other threads refer to it by id().
// ConnectionEvents::on_close is called exactly once, after which the connection does no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <system_error>

#include "core/buffer.h"
#include "core/clock.h"
#include "net/address.h"
#include "net/fd.h"
#include "reactor/event_loop.h"

namespace soket::conn {

class TcpConnection;
class ConnectionTable;
namespace detail {
class SplicePipe;
}

// What a service implements to be told of a connection's life. Must not throw.
class ConnectionEvents {
 public:
  virtual void on_open(TcpConnection&) noexcept {}
  // `input` holds every byte not yet consumed; consume what was handled. A service whose
  // replies outgrow its input may stop early once the connection is backpressured(): when
  // the output has drained, on_data is called again with what it left.
  virtual void on_data(TcpConnection& connection, Buffer& input) noexcept = 0;
  // The peer sent its last byte (EOF); `input` holds what it left unconsumed. The
  // connection then flushes its output and closes.
  virtual void on_peer_closed(TcpConnection&, Buffer&) noexcept {}
  // True when the service sends every byte back unchanged (an echo): the connection may then
  // move bulk input back out inside the kernel (splice) without calling on_data for it.
  virtual bool reflects() const noexcept { return false; }
  // True (the default) when a connection's first byte completes its handshake. A service
  // that returns false must call TcpConnection::complete_handshake() when its own handshake
  // is done, or the connection is dropped at ConnectionSettings::handshake_timeout.
  virtual bool handshake_at_first_byte() const noexcept { return true; }
  // `reason` is empty for an orderly close, else the error or std::errc::timed_out (idle).
  virtual void on_close(TcpConnection&, std::error_code) noexcept {}

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

class TcpConnection final : public reactor::IoHandler {
 public:
  using Id = std::uint64_t;

  // The loop, the service's events and the settings all come through `owner`: one reference
  // instead of four keeps an idle connection small (see bench/RESULTS.md).
  TcpConnection(ConnectionTable& owner, net::Fd fd, const net::Address& peer, Id id);
  ~TcpConnection();
  TcpConnection(const TcpConnection&) = delete;
  TcpConnection& operator=(const TcpConnection&) = delete;

  Result<void> start();
  void send(std::span<const std::byte> bytes);
  void send(std::string_view text) { send(as_bytes(text)); }
  // Stops reading, sends what is queued, then closes: the polite end.
  void close_after_flush();
  void close_now(std::error_code reason = {});
  // Reads what was left unread when reading stopped early (ConnectionTable calls it).
  void resume_reading();
  // Marks the handshake done: handshake_timeout no longer applies. Idempotent. Called by the
  // connection at its first byte, unless the service's handshake_at_first_byte() is false.
  void complete_handshake() { handshake_done_ = true; }
  bool handshake_complete() const { return handshake_done_; }

  Id id() const { return id_; }
  const net::Address& peer() const { return peer_; }
  bool closed() const { return !fd_.valid(); }
  std::uint64_t bytes_in() const { return bytes_in_; }
  std::uint64_t bytes_out() const { return bytes_out_; }
  std::size_t queued_output() const { return output_.size(); }
  // True while the output is past the high-water mark and reading has stopped.
  bool backpressured() const { return paused_by_backpressure_; }

  void on_io(std::uint32_t events) noexcept override;

 private:
  void handle_read();
  bool read_once(std::size_t& budget);
  bool reflect_once(detail::SplicePipe& pipe, std::size_t& budget);
  void empty_pipe_into_output(detail::SplicePipe& pipe, std::size_t count);
  bool spend(std::size_t& budget, std::size_t used);
  void handle_write();
  void write_queued();
  void fail_later(std::error_code error);
  void finish_closing();
  bool drain_once(std::size_t& budget);
  void note_first_byte();
  std::optional<TimePoint> next_deadline() const;
  void arm_timer();
  void on_timer();

  reactor::EventLoop& loop() const;
  ConnectionEvents& events() const;
  const ConnectionSettings& settings() const;

  ConnectionTable& owner_;
  Id id_;
  net::Fd fd_;
  net::Address peer_;
  Buffer input_;
  Buffer output_;
  bool closing_ = false;  // close_after_flush() was called.
  bool paused_by_backpressure_ = false;
  bool unread_ = false;         // Input may be waiting that no edge will announce.
  bool peer_finished_ = false;  // The peer shut down its side (EPOLLRDHUP).
  bool bulk_ = false;           // Reads come full: reflect them in the kernel if we may.
  bool broken_ = false;         // A send failed: closing at the end of this iteration.
  bool handshake_done_ = false;
  bool draining_ = false;  // Flushed and shut down for writing: waiting for the peer's FIN.
  // One timer serves the handshake, idle and drain deadlines: it fires at the earliest and
  // works out which one passed.
  reactor::TimerId timer_;
  TimePoint last_active_;
  TimePoint opened_;  // Or, while draining_, when the drain began.
  std::uint64_t bytes_in_ = 0;
  std::uint64_t bytes_out_ = 0;
};

}  // namespace soket::conn
