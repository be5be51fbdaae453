// Thin wrappers over the BSD socket calls. Every fd is SOCK_NONBLOCK | SOCK_CLOEXEC.
// errno becomes a std::error_code on the line of the call; EINTR is retried; would-block is
// reported as std::errc::resource_unavailable_try_again, which is_would_block() recognises.
#pragma once

#include <cstddef>
#include <span>

#include "core/bytes.h"
#include "core/result.h"
#include "net/address.h"
#include "net/fd.h"
#include "net/socket_options.h"

namespace soket::net {

inline bool is_would_block(const std::error_code& error) {
  return error == std::errc::resource_unavailable_try_again ||
         error == std::errc::operation_would_block;
}

Result<Fd> open_socket(int family, int type, int protocol = 0);

// socket + bind options + bind + listen, for a TCP server.
Result<Fd> open_listener(const Address& address, const SocketOptions& options, int backlog);
// socket + bind options + bind, for a UDP server.
Result<Fd> open_bound_datagram(const Address& address, const SocketOptions& options);

struct Accepted {
  Fd fd;
  Address peer;
};
Result<Accepted> try_accept(int listener);

Result<Address> local_address(int fd);
Result<Address> peer_address(int fd);
// The pending error of a socket (SO_ERROR), e.g. after a non-blocking connect.
std::error_code pending_error(int fd);

Result<std::size_t> try_read(int fd, std::span<std::byte> into);
// send(2) with MSG_NOSIGNAL: a closed peer gives EPIPE, never a SIGPIPE that kills us.
Result<std::size_t> try_write(int fd, std::span<const std::byte> bytes);
Result<std::size_t> try_send_to(int fd, std::span<const std::byte> bytes, const Address& to);
// recvfrom(2): one datagram into `into` (cut to its size), its sender in `from`.
Result<std::size_t> try_receive_from(int fd, std::span<std::byte> into, Address& from);
Result<void> shutdown_write(int fd);
// connect(2) of a UDP socket to one peer: it then hears only from that peer, and an ICMP
// "port unreachable" comes back as ECONNREFUSED on the next call.
Result<void> connect_datagram(int fd, const Address& peer);

// read(2) and write(2) for fds that may be no socket at all (stdin, stdout: a terminal, a
// pipe, a file). EINTR is retried; would-block is reported as for sockets.
Result<std::size_t> try_read_file(int fd, std::span<std::byte> into);
Result<std::size_t> try_write_file(int fd, std::span<const std::byte> bytes);
// Bytes of a TCP socket's send queue not yet acknowledged by the peer (SIOCOUTQ). Zero means
// the peer has everything: closing then loses nothing even if the peer's data follows.
Result<std::size_t> unacknowledged_bytes(int fd);

}  // namespace soket::net
