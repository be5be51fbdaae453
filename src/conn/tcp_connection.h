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
// Loop-thread only. Owned by a ConnectionTable; other threads refer to it by id().
// ConnectionEvents::on_close is called exactly once, after which the connection does no I/O.
#pragma once

#include <cstdint>
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
  // `input` holds every byte not yet consumed; consume what was handled.
  virtual void on_data(TcpConnection& connection, Buffer& input) noexcept = 0;
  // The peer sent its last byte (EOF); `input` holds what it left unconsumed. The
  // connection then flushes its output and closes.
  virtual void on_peer_closed(TcpConnection&, Buffer&) noexcept {}
  // True when the service sends every byte back unchanged (an echo): the connection may then
  // move bulk input back out inside the kernel (splice) without calling on_data for it.
  virtual bool reflects() const noexcept { return false; }
  // `reason` is empty for an orderly close, else the error or std::errc::timed_out (idle).
  virtual void on_close(TcpConnection&, std::error_code) noexcept {}

 protected:
  ~ConnectionEvents() = default;
};

struct ConnectionSettings {
  std::size_t output_high_water = 4 * 1024 * 1024;
  Duration idle_timeout{0};  // Zero: never.
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

  Id id() const { return id_; }
  const net::Address& peer() const { return peer_; }
  bool closed() const { return !fd_.valid(); }
  std::uint64_t bytes_in() const { return bytes_in_; }
  std::uint64_t bytes_out() const { return bytes_out_; }
  std::size_t queued_output() const { return output_.size(); }

  void on_io(std::uint32_t events) noexcept override;

 private:
  void handle_read();
  bool read_once(std::size_t& budget);
  bool reflect_once(detail::SplicePipe& pipe, std::size_t& budget);
  void empty_pipe_into_output(detail::SplicePipe& pipe, std::size_t count);
  bool spend(std::size_t& budget, std::size_t used);
  void handle_write();
  void write_queued();
  void arm_idle_timer(TimePoint deadline);
  void on_idle_timer();

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
  reactor::TimerId idle_timer_;
  TimePoint last_active_;
  std::uint64_t bytes_in_ = 0;
  std::uint64_t bytes_out_ = 0;
};

}  // namespace soket::conn
