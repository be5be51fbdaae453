#include "net/socket_ops.h"

#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <unistd.h>

#include <cerrno>

namespace soket::net {

Result<Fd> open_socket(int family, int type, int protocol) {
  const int fd = ::socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  if (fd < 0) return last_system_error();
  return Fd(fd);
}

Result<Fd> open_listener(const Address& address, const SocketOptions& options, int backlog) {
  auto fd = open_socket(address.family(), SOCK_STREAM);
  if (!fd) return fd.error();
  if (auto r = apply_bind_options(fd->get(), options, /*is_tcp=*/true); !r) return r.error();
  if (::bind(fd->get(), address.data(), address.length()) != 0) return last_system_error();
  if (::listen(fd->get(), backlog) != 0) return last_system_error();
  return std::move(fd).value();
}

Result<Fd> open_bound_datagram(const Address& address, const SocketOptions& options) {
  auto fd = open_socket(address.family(), SOCK_DGRAM);
  if (!fd) return fd.error();
  if (auto r = apply_bind_options(fd->get(), options, /*is_tcp=*/false); !r) return r.error();
  if (::bind(fd->get(), address.data(), address.length()) != 0) return last_system_error();
  return std::move(fd).value();
}

Result<Accepted> try_accept(int listener) {
  Address peer;
  *peer.length_slot() = Address::kCapacity;
  int fd;
  do {
    fd = ::accept4(listener, peer.data(), peer.length_slot(), SOCK_NONBLOCK | SOCK_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return last_system_error();
  return Accepted{Fd(fd), peer};
}

Result<Address> local_address(int fd) {
  Address address;
  *address.length_slot() = Address::kCapacity;
  if (::getsockname(fd, address.data(), address.length_slot()) != 0) return last_system_error();
  return address;
}

Result<Address> peer_address(int fd) {
  Address address;
  *address.length_slot() = Address::kCapacity;
  if (::getpeername(fd, address.data(), address.length_slot()) != 0) return last_system_error();
  return address;
}

std::error_code pending_error(int fd) {
  int error = 0;
  socklen_t length = sizeof error;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) return last_system_error();
  return {error, std::system_category()};
}

Result<std::size_t> try_read(int fd, std::span<std::byte> into) {
  ssize_t n;
  do {
    n = ::recv(fd, into.data(), into.size(), 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return last_system_error();
  return static_cast<std::size_t>(n);
}

Result<std::size_t> try_write(int fd, std::span<const std::byte> bytes) {
  ssize_t n;
  do {
    n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return last_system_error();
  return static_cast<std::size_t>(n);
}

Result<std::size_t> try_send_to(int fd, std::span<const std::byte> bytes, const Address& to) {
  ssize_t n;
  do {
    n = ::sendto(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL, to.data(), to.length());
  } while (n < 0 && errno == EINTR);
  if (n < 0) return last_system_error();
  return static_cast<std::size_t>(n);
}

Result<std::size_t> try_receive_from(int fd, std::span<std::byte> into, Address& from) {
  ssize_t n;
  do {
    *from.length_slot() = Address::kCapacity;
    n = ::recvfrom(fd, into.data(), into.size(), 0, from.data(), from.length_slot());
  } while (n < 0 && errno == EINTR);
  if (n < 0) return last_system_error();
  return static_cast<std::size_t>(n);
}

Result<void> shutdown_write(int fd) {
  if (::shutdown(fd, SHUT_WR) != 0) return last_system_error();
  return {};
}

Result<void> connect_datagram(int fd, const Address& peer) {
  if (::connect(fd, peer.data(), peer.length()) != 0) return last_system_error();
  return {};
}

Result<std::size_t> try_read_file(int fd, std::span<std::byte> into) {
  ssize_t n;
  do {
    n = ::read(fd, into.data(), into.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) return last_system_error();
  return static_cast<std::size_t>(n);
}

Result<std::size_t> try_write_file(int fd, std::span<const std::byte> bytes) {
  ssize_t n;
  do {
    n = ::write(fd, bytes.data(), bytes.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) return last_system_error();
  return static_cast<std::size_t>(n);
}

Result<std::size_t> unacknowledged_bytes(int fd) {
  int queued = 0;
  if (::ioctl(fd, SIOCOUTQ, &queued) != 0) return last_system_error();
  return static_cast<std::size_t>(queued);
}

}  // namespace soket::net
