// Unix-domain stream sockets named by a path (`soket connect unix:/path`, `soket listen
// unix:/path`). Kept apart from Address, which stays a small union of IPv4 and IPv6: a
// sockaddr_un is 110 bytes, and servers keep an Address per peer.
#pragma once

#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "net/fd.h"

namespace soket::net {

// Connects a stream socket to `path`, waiting at most until `deadline`.
// Errors: ENAMETOOLONG (the path does not fit sun_path), ENOENT (no such file), ECONNREFUSED
// (a socket file nobody listens on), EACCES, ENOTSOCK-like errors as the kernel gives them.
Result<Fd> connect_unix(std::string_view path, TimePoint deadline);

// What listen_unix did to a socket file that was already at the path.
enum class StaleSocket { none, removed };

struct UnixListener {
  Fd fd;
  StaleSocket stale = StaleSocket::none;
};

// socket + bind + listen on `path`. A file already at the path is removed only when it is a
// socket and connect(2) to it is refused, which proves that no process listens on it; a
// socket that accepts gives EADDRINUSE, and a file of any other kind EEXIST (never removed).
Result<UnixListener> listen_unix(std::string_view path, int backlog);

// The socket file a listener made, removed when the owner goes, but only while it is still the
// one it made (the same inode, still a socket): never a file another program put there since.
// remove_if_ours() uses only async-signal-safe calls on a copy of the path made beforehand, so
// a signal handler may call it (the CLI does, on SIGINT/SIGTERM). Owns nothing when the path
// does not fit sun_path or no file is there.
class SocketFileOwner {
 public:
  explicit SocketFileOwner(std::string_view path);
  ~SocketFileOwner() { remove_if_ours(); }
  SocketFileOwner(const SocketFileOwner&) = delete;
  SocketFileOwner& operator=(const SocketFileOwner&) = delete;

  void remove_if_ours() const noexcept;

 private:
  char path_[108] = {};  // sizeof(sockaddr_un::sun_path), without <sys/un.h> here.
  unsigned long inode_ = 0;
};

}  // namespace soket::net
