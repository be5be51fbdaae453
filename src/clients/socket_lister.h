// The socket lister behind `soket sockets`: asks the kernel for its TCP and UDP sockets over
// netlink (NETLINK_SOCK_DIAG, as ss does, not by parsing /proc/net/tcp) and finds each one's
// process through /proc/PID/fd.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "net/address.h"

namespace soket::clients {

enum class SocketSelection { connected, listening, all };

struct SocketQuery {
  bool tcp = true;
  bool udp = true;
  SocketSelection selection = SocketSelection::connected;
  std::optional<std::uint16_t> port;  // Local or peer port.
  bool processes = false;
};

struct OwningProcess {
  pid_t pid = 0;
  std::string name;
};

struct ListedSocket {
  std::string protocol;  // "tcp" or "udp".
  std::string state;     // As ss names it: ESTAB, LISTEN, UNCONN, TIME-WAIT, ...
  std::uint32_t recv_q = 0, send_q = 0;
  net::Address local;
  net::Address peer;  // Port 0 and the any-address when the socket has no peer.
  bool has_peer = false;
  std::uint32_t inode = 0;
  std::optional<OwningProcess> process;
};

struct SocketListing {
  std::vector<ListedSocket> sockets;
  bool some_processes_hidden = false;  // /proc/PID/fd of some processes was not readable.
};

Result<SocketListing> list_sockets(const SocketQuery& query);

}  // namespace soket::clients
