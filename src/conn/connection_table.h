// ConnectionTable: the epoll engine's ConnectionPool, its TcpConnections keyed by id, and its
// UdpEndpoints.
//
// A closed connection is destroyed at the end of the loop iteration (EventLoop::defer), never
// inside a handler that may still be using it. Loop-thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "conn/connection_pool.h"
#include "conn/detail/splice_pipe.h"
#include "conn/tcp_connection.h"
#include "conn/udp_endpoint.h"

namespace soket::conn {

class ConnectionTable final : public ConnectionPool {
 public:
  // `on_released` (optional) hears of each connection just before it is destroyed.
  ConnectionTable(reactor::EventLoop& loop, ConnectionEvents& events, ConnectionSettings settings,
                  OnReleased on_released = nullptr);
  ~ConnectionTable() override;

  // Null when the loop could not watch the socket.
  TcpConnection* add(net::Fd fd, const net::Address& peer) override;
  TcpConnection* find(TcpConnection::Id id);
  Result<DatagramEndpoint*> add_datagrams(int fd, bool shared, DatagramEvents& events) override;
  std::size_t size() const override { return connections_.size(); }
  void close_all(OnEmpty on_empty) override;
  std::uint64_t bytes_in() const override;
  std::uint64_t bytes_out() const override;
  std::string_view engine() const override { return "epoll"; }

  reactor::EventLoop& loop() const { return loop_; }
  ConnectionEvents& events() const { return events_; }
  const ConnectionSettings& settings() const { return settings_; }
  // Called by a connection that has closed: it is destroyed at the end of the iteration.
  void release(TcpConnection::Id id);
  // Called by a connection that stopped reading with input left: it reads again after the
  // other connections ready in this iteration had their turn.
  void resume_later(TcpConnection::Id id);
  // Called by a connection whose service batches sends: its output is written at the end
  // of the iteration, with every other connection's that asked in it.
  void flush_later(TcpConnection::Id id);
  // The loop's pipe for in-kernel reflection (splice), made on first use; null if the
  // kernel gives none. It is empty between uses.
  detail::SplicePipe* splice_pipe();

 private:
  reactor::EventLoop& loop_;
  ConnectionEvents& events_;
  ConnectionSettings settings_;
  std::unordered_map<TcpConnection::Id, std::unique_ptr<TcpConnection>> connections_;
  TcpConnection::Id next_id_ = 1;
  OnReleased on_released_;
  OnEmpty on_empty_;
  std::uint64_t closed_bytes_in_ = 0, closed_bytes_out_ = 0;
  // Deferred work holds a weak_ptr to this: it does nothing once the table is gone.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
  std::vector<TcpConnection::Id> flushes_, flushing_;  // flush_later's, and the batch being run.
  std::unique_ptr<detail::SplicePipe> splice_pipe_;
  bool splice_unavailable_ = false;
  std::vector<std::unique_ptr<UdpEndpoint>> datagrams_;
};

}  // namespace soket::conn
