#include "net/unix_socket.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "net/deadline_io.h"
#include "net/socket_ops.h"

namespace soket::net {
namespace {

// sun_path holds at most 107 bytes and the terminating NUL; longer paths would be cut by the
// kernel into another name, so they are refused.
Result<sockaddr_un> unix_address(std::string_view path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.empty()) return std::make_error_code(std::errc::invalid_argument);
  if (path.size() >= sizeof address.sun_path) {
    return std::make_error_code(std::errc::filename_too_long);
  }
  std::memcpy(address.sun_path, path.data(), path.size());
  return address;
}

socklen_t length_of(const sockaddr_un& address) {
  return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + std::strlen(address.sun_path) +
                                1);
}

const sockaddr* as_sockaddr(const sockaddr_un& address) {
  return reinterpret_cast<const sockaddr*>(&address);
}

Result<void> bind_and_listen(int fd, const sockaddr_un& address, int backlog) {
  if (::bind(fd, as_sockaddr(address), length_of(address)) != 0) return last_system_error();
  if (::listen(fd, backlog) != 0) return last_system_error();
  return {};
}

// Whether the kernel lists a listening socket bound to `path` in this network namespace
// (/proc/net/unix: "Num RefCount Protocol Flags Type St Inode Path", Flags 00010000 being
// __SO_ACCEPTCON, a listening socket). Asking the kernel, rather than connecting, leaves a
// live server undisturbed: a probe connection would be accepted as a client of it.
bool listed_as_listening(std::string_view path) {
  std::ifstream table("/proc/net/unix");
  std::string line;
  for (int lines = 0; lines < 1'000'000 && std::getline(table, line); ++lines) {
    if (line.size() <= path.size() ||
        line.compare(line.size() - path.size(), path.size(), path) != 0 ||
        line[line.size() - path.size() - 1] != ' ') {
      continue;
    }
    std::istringstream fields(line);
    std::string num, refcount, protocol, flags;
    fields >> num >> refcount >> protocol >> flags;
    if (flags == "00010000") return true;
  }
  return false;
}

// A file is in the way of bind(2). It goes only when it is a socket that no listening socket
// of the kernel's table holds, and that refuses connections: a listening server accepts (or
// queues), so a refusal proves the socket file is stale.
std::error_code remove_if_stale(std::string_view path) {
  const std::string name(path);
  struct stat info {};
  if (::lstat(name.c_str(), &info) != 0) return last_system_error();
  if (!S_ISSOCK(info.st_mode)) return std::make_error_code(std::errc::file_exists);
  if (listed_as_listening(path)) return std::make_error_code(std::errc::address_in_use);
  auto probe = connect_unix(path, Clock::now() + std::chrono::seconds(1));
  if (probe) return std::make_error_code(std::errc::address_in_use);
  if (probe.error() != std::errc::connection_refused) return probe.error();
  if (::unlink(name.c_str()) != 0) return last_system_error();
  return {};
}

}  // namespace

Result<Fd> connect_unix(std::string_view path, TimePoint deadline) {
  auto address = unix_address(path);
  if (!address) return address.error();
  auto fd = open_socket(AF_UNIX, SOCK_STREAM);
  if (!fd) return fd.error();
  int status;
  do {
    status = ::connect(fd->get(), as_sockaddr(*address), length_of(*address));
  } while (status != 0 && errno == EINTR);
  // A full backlog makes a non-blocking connect(2) to a Unix socket fail with EAGAIN rather
  // than EINPROGRESS; both mean "wait until writable".
  if (status != 0 && errno != EINPROGRESS && errno != EAGAIN) return last_system_error();
  if (status != 0) {
    if (auto ready = wait_ready(fd->get(), POLLOUT, deadline); !ready) return ready.error();
    if (auto error = pending_error(fd->get())) return error;
  }
  return std::move(fd).value();
}

Result<UnixListener> listen_unix(std::string_view path, int backlog) {
  auto address = unix_address(path);
  if (!address) return address.error();
  auto fd = open_socket(AF_UNIX, SOCK_STREAM);
  if (!fd) return fd.error();
  auto bound = bind_and_listen(fd->get(), *address, backlog);
  if (bound) return UnixListener{std::move(fd).value(), StaleSocket::none};
  if (bound.error() != std::errc::address_in_use) return bound.error();
  if (auto error = remove_if_stale(path)) return error;
  bound = bind_and_listen(fd->get(), *address, backlog);
  if (!bound) return bound.error();
  return UnixListener{std::move(fd).value(), StaleSocket::removed};
}

SocketFileOwner::SocketFileOwner(std::string_view path) {
  static_assert(sizeof path_ == sizeof(sockaddr_un::sun_path));
  struct stat info {};
  if (path.size() >= sizeof path_) return;
  std::memcpy(path_, path.data(), path.size());
  if (::lstat(path_, &info) != 0 || !S_ISSOCK(info.st_mode)) {
    path_[0] = '\0';
    return;
  }
  inode_ = info.st_ino;
}

void SocketFileOwner::remove_if_ours() const noexcept {
  struct stat info {};
  if (path_[0] != '\0' && ::lstat(path_, &info) == 0 && S_ISSOCK(info.st_mode) &&
      info.st_ino == inode_) {
    ::unlink(path_);
  }
}

}  // namespace soket::net
