// SocketOptions: the options of seed 001 (and a few more) as one value, applied in one call.
// Unset optionals leave the kernel's default alone.
#pragma once

#include <chrono>
#include <optional>

#include "core/result.h"

namespace soket::net {

struct SocketOptions {
  // SO_REUSEADDR, on TCP sockets only: rebind while old connections sit in TIME_WAIT. On UDP
  // it means something else (two sockets may bind the very same address and port, and the
  // newer one takes the datagrams), so a datagram socket never sets it.
  bool reuse_address = true;
  bool reuse_port = false;  // SO_REUSEPORT: several sockets share one port; the kernel balances.
  bool no_delay = false;    // TCP_NODELAY: send small writes at once (no Nagle).
  bool keep_alive = false;  // SO_KEEPALIVE: probe idle peers so dead ones are noticed.
  std::optional<std::chrono::seconds> linger;  // SO_LINGER: how long close() waits to flush.
  std::optional<int> receive_buffer;           // SO_RCVBUF in bytes.
  std::optional<int> send_buffer;              // SO_SNDBUF in bytes.
};

// Options that must be set before bind(2): address and port reuse, buffer sizes.
// `is_tcp`: SO_REUSEADDR is set on stream sockets only.
Result<void> apply_bind_options(int fd, const SocketOptions& options, bool is_tcp);
// Options of a connected (or accepted) socket. TCP-only ones are skipped for UDP.
Result<void> apply_connection_options(int fd, const SocketOptions& options, bool is_tcp);

}  // namespace soket::net
