#include "net/socket_options.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace soket::net {
namespace {

Result<void> set_option(int fd, int level, int name, const void* value, socklen_t length) {
  if (::setsockopt(fd, level, name, value, length) != 0) return last_system_error();
  return {};
}

Result<void> set_flag(int fd, int level, int name, int value) {
  return set_option(fd, level, name, &value, sizeof value);
}

}  // namespace

Result<void> apply_bind_options(int fd, const SocketOptions& options, bool is_tcp) {
  if (options.reuse_address && is_tcp) {
    if (auto r = set_flag(fd, SOL_SOCKET, SO_REUSEADDR, 1); !r) return r;
  }
  if (options.reuse_port) {
    if (auto r = set_flag(fd, SOL_SOCKET, SO_REUSEPORT, 1); !r) return r;
  }
  // Buffer sizes on a listener are inherited by accepted sockets, and TCP window scaling
  // is negotiated in the handshake, so they must be set before listen(2) to take effect.
  if (options.receive_buffer) {
    if (auto r = set_flag(fd, SOL_SOCKET, SO_RCVBUF, *options.receive_buffer); !r) return r;
  }
  if (options.send_buffer) {
    if (auto r = set_flag(fd, SOL_SOCKET, SO_SNDBUF, *options.send_buffer); !r) return r;
  }
  return {};
}

Result<void> apply_connection_options(int fd, const SocketOptions& options, bool is_tcp) {
  if (options.receive_buffer) {
    if (auto r = set_flag(fd, SOL_SOCKET, SO_RCVBUF, *options.receive_buffer); !r) return r;
  }
  if (options.send_buffer) {
    if (auto r = set_flag(fd, SOL_SOCKET, SO_SNDBUF, *options.send_buffer); !r) return r;
  }
  if (!is_tcp) return {};
  if (options.no_delay) {
    if (auto r = set_flag(fd, IPPROTO_TCP, TCP_NODELAY, 1); !r) return r;
  }
  if (options.keep_alive) {
    if (auto r = set_flag(fd, SOL_SOCKET, SO_KEEPALIVE, 1); !r) return r;
  }
  if (options.linger) {
    const linger value{1, static_cast<int>(options.linger->count())};
    if (auto r = set_option(fd, SOL_SOCKET, SO_LINGER, &value, sizeof value); !r) return r;
  }
  return {};
}

}  // namespace soket::net
