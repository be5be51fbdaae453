// TcpConnection: one accepted TCP socket on one loop, with an input and an output Buffer: the
// epoll engine's Connection (conn/connection.h has the contract).
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
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <system_error>

#include "conn/connection.h"
#include "conn/detail/deadlines.h"
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

class TcpConnection final : public Connection, public reactor::IoHandler {
 public:
  // The loop, the service's events and the settings all come through `owner`: one reference
  // instead of four keeps an idle connection small (see bench/RESULTS.md).
  TcpConnection(ConnectionTable& owner, net::Fd fd, const net::Address& peer, Id id);
  ~TcpConnection();
  TcpConnection(const TcpConnection&) = delete;
  TcpConnection& operator=(const TcpConnection&) = delete;

  Result<void> start();
  using Connection::send;
  void send(std::span<const std::byte> bytes) override;
  // Writes what the batching service sent in this iteration (ConnectionTable::flush_later).
  void flush_batched();
  void close_after_flush() override;
  void close_now(std::error_code reason = {}) override;
  // Reads what was left unread when reading stopped early (ConnectionTable calls it).
  void resume_reading();
  void complete_handshake() override { deadlines_.handshake_done = true; }
  bool handshake_complete() const override { return deadlines_.handshake_done; }

  Id id() const override { return id_; }
  const net::Address& peer() const override { return peer_; }
  bool closed() const override { return !fd_.valid(); }
  std::uint64_t bytes_in() const override { return bytes_in_; }
  std::uint64_t bytes_out() const override { return bytes_out_; }
  // What waits for the peer: a batch not yet written (flush_batched) is not backlog.
  std::size_t queued_output() const override {
    return output_.size() - std::min(batched_, output_.size());
  }
  bool backpressured() const override { return paused_by_backpressure_; }

  void on_io(std::uint32_t events) noexcept override;

 private:
  void handle_read();
  bool read_once(std::size_t& budget);
  bool reflect_once(detail::SplicePipe& pipe, std::size_t& budget);
  void empty_pipe_into_output(detail::SplicePipe& pipe, std::size_t count);
  bool spend(std::size_t& budget, std::size_t used);
  enum class Resume { now, later };  // When a connection unpaused by the write reads again.
  void handle_write(Resume resume);
  void write_queued();
  void fail_later(std::error_code error);
  void finish_closing();
  bool drain_once(std::size_t& budget);
  void note_first_byte();
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
  bool flush_pending_ = false;  // Batched output waits for the end of this iteration.
  std::size_t batched_ = 0;     // Bytes of output_ in that batch.
  // One timer serves the handshake, idle and drain deadlines: it fires at the earliest and
  // works out which one passed. deadlines_.draining: flushed and shut down for writing,
  // waiting for the peer's FIN.
  reactor::TimerId timer_;
  detail::Deadlines deadlines_;
  std::uint64_t bytes_in_ = 0;
  std::uint64_t bytes_out_ = 0;
};

}  // namespace soket::conn
