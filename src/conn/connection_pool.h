// ConnectionPool: the one owner of a loop's TCP connections and UDP endpoints, on one engine
// (ConnectionTable on epoll, UringConnections on io_uring). The server hands it accepted and
// bound sockets and asks it to close them all; it knows no more of the engine than its name.
//
// A closed connection is destroyed at the end of the loop iteration at the earliest, never
// inside a handler that may still be using it. Loop-thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "conn/connection.h"
#include "conn/datagram_endpoint.h"
#include "core/result.h"
#include "net/address.h"
#include "net/fd.h"

namespace soket::conn {

class ConnectionPool {
 public:
  using OnEmpty = std::function<void()>;
  // Hears of each connection once its socket is closed, just before it is destroyed.
  using OnReleased = std::function<void(const Connection&)>;

  virtual ~ConnectionPool() = default;

  // Takes the socket and starts the connection; null when the engine could not take it.
  virtual Connection* add(net::Fd fd, const net::Address& peer) = 0;
  // Serves the bound UDP socket `fd` (not owned: loops may share it, `shared`) until the pool
  // is destroyed; the endpoint is the pool's.
  virtual Result<DatagramEndpoint*> add_datagrams(int fd, bool shared, DatagramEvents& events) = 0;
  // Connections not yet released.
  virtual std::size_t size() const = 0;
  // Asks every connection to flush and close; `on_empty` runs once none is left.
  virtual void close_all(OnEmpty on_empty) = 0;
  // Every connection's bytes, the open ones' and the released ones'.
  virtual std::uint64_t bytes_in() const = 0;
  virtual std::uint64_t bytes_out() const = 0;
  // "epoll" or "io_uring": what the server's first line names.
  virtual std::string_view engine() const = 0;
};

}  // namespace soket::conn
