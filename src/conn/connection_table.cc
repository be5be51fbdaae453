#include "conn/connection_table.h"

#include <vector>

namespace soket::conn {

ConnectionTable::ConnectionTable(reactor::EventLoop& loop, ConnectionEvents& events,
                                 ConnectionSettings settings, OnReleased on_released)
    : loop_(loop), events_(events), settings_(settings), on_released_(std::move(on_released)) {}

ConnectionTable::~ConnectionTable() = default;

TcpConnection* ConnectionTable::add(net::Fd fd, const net::Address& peer) {
  const auto id = next_id_++;
  auto connection = std::make_unique<TcpConnection>(*this, std::move(fd), peer, id);
  auto* raw = connection.get();
  connections_.emplace(id, std::move(connection));
  if (auto r = raw->start(); !r) {
    connections_.erase(id);
    return nullptr;
  }
  return raw;
}

TcpConnection* ConnectionTable::find(TcpConnection::Id id) {
  const auto it = connections_.find(id);
  return it == connections_.end() || it->second->closed() ? nullptr : it->second.get();
}

Result<DatagramEndpoint*> ConnectionTable::add_datagrams(int fd, bool shared,
                                                         DatagramEvents& events) {
  auto endpoint = std::make_unique<UdpEndpoint>(loop_, fd, shared, events);
  if (auto r = endpoint->start(); !r) return r.error();
  datagrams_.push_back(std::move(endpoint));
  return datagrams_.back().get();
}

void ConnectionTable::close_all(OnEmpty on_empty) {
  on_empty_ = std::move(on_empty);
  std::vector<TcpConnection*> open;
  for (auto& [id, connection] : connections_) open.push_back(connection.get());
  for (auto* connection : open) connection->close_after_flush();
  if (connections_.empty() && on_empty_) std::exchange(on_empty_, nullptr)();
}

std::uint64_t ConnectionTable::bytes_in() const {
  std::uint64_t total = closed_bytes_in_;
  for (const auto& [id, connection] : connections_) total += connection->bytes_in();
  return total;
}

std::uint64_t ConnectionTable::bytes_out() const {
  std::uint64_t total = closed_bytes_out_;
  for (const auto& [id, connection] : connections_) total += connection->bytes_out();
  return total;
}

void ConnectionTable::resume_later(TcpConnection::Id id) {
  // Posted, not deferred: a task posted now runs after this iteration's other handlers, and
  // one it posts again waits for the next iteration, so a busy peer cannot hold the loop.
  loop_.post([this, id, alive = std::weak_ptr<int>(alive_)] {
    if (alive.expired()) return;
    if (auto* connection = find(id)) connection->resume_reading();
  });
}

void ConnectionTable::flush_later(TcpConnection::Id id) {
  flushes_.push_back(id);
  if (flushes_.size() > 1) return;
  loop_.defer([this, alive = std::weak_ptr<int>(alive_)] {
    if (alive.expired()) return;
    flushing_.swap(flushes_);  // Swapped, not moved: both keep their capacity.
    for (const auto waiting : flushing_) {
      if (auto* connection = find(waiting)) connection->flush_batched();
    }
    flushing_.clear();
  });
}

detail::SplicePipe* ConnectionTable::splice_pipe() {
  if (!splice_pipe_ && !splice_unavailable_) {
    auto pipe = detail::SplicePipe::open();
    if (pipe) {
      splice_pipe_ = std::make_unique<detail::SplicePipe>(std::move(pipe).value());
    } else {
      splice_unavailable_ = true;
    }
  }
  return splice_pipe_.get();
}

void ConnectionTable::release(TcpConnection::Id id) {
  loop_.defer([this, id, alive = std::weak_ptr<int>(alive_)] {
    if (alive.expired()) return;
    const auto it = connections_.find(id);
    if (it == connections_.end()) return;
    closed_bytes_in_ += it->second->bytes_in();
    closed_bytes_out_ += it->second->bytes_out();
    if (on_released_) on_released_(*it->second);
    connections_.erase(it);
    if (connections_.empty() && on_empty_) std::exchange(on_empty_, nullptr)();
  });
}

}  // namespace soket::conn
