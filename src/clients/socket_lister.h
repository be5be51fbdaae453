// The socket lister behind `soket sockets`: asks the kernel for its TCP, UDP and Unix sockets
// over netlink (NETLINK_SOCK_DIAG, as ss does, not by parsing /proc/net/tcp) and finds each
// one's process through /proc/PID/fd. Not thread-safe; each call opens its own netlink socket.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "net/address.h"
#include "proto/sockstat/filter.h"
#include "proto/sockstat/inet_diag.h"

namespace soket::clients {

enum class SocketSelection { connected, listening, all };

struct SocketQuery {
  bool tcp = true;
  bool udp = true;
  bool unix_sockets = false;
  bool ipv4 = true, ipv6 = true;  // For TCP and UDP.
  SocketSelection selection = SocketSelection::connected;
  std::optional<std::uint16_t> port;  // Local or peer port (TCP and UDP only).
  // An ss filter: its states replace `selection`; its expression selects TCP and UDP
  // sockets only (a Unix socket has no address or port to match).
  std::optional<proto::sockstat::Filter> filter;
  bool processes = false;
  bool tcp_info = false;  // Ask the kernel for struct tcp_info (ss -i).
};

struct OwningProcess {
  pid_t pid = 0;
  std::string name;
};

struct ListedSocket {
  std::string protocol;  // "tcp", "udp", or ss's Netid for Unix: "u_str", "u_dgr", "u_seq".
  std::string state;     // As ss names it: ESTAB, LISTEN, UNCONN, TIME-WAIT, ...
  std::uint32_t recv_q = 0, send_q = 0;
  net::Address local;  // TCP and UDP only.
  net::Address peer;   // Port 0 and the any-address when the socket has no peer.
  bool has_peer = false;
  bool is_unix = false;
  std::string unix_name;  // Unix: sun_path bytes as bound (abstract: a leading NUL), or empty.
  std::optional<std::uint32_t> peer_inode;  // Unix: the connected peer's inode.
  std::optional<std::uint32_t> uid;         // Always for TCP/UDP; Unix from Linux 5.3.
  std::uint32_t inode = 0;
  std::optional<proto::sockstat::TcpInfo> tcp_info;
  std::optional<OwningProcess> process;
};

struct SocketListing {
  std::vector<ListedSocket> sockets;
  bool some_processes_hidden = false;  // /proc/PID/fd of some processes was not readable.
};

Result<SocketListing> list_sockets(const SocketQuery& query);

// ss -s: counts per protocol, per family (IPv4, IPv6, Unix) and per state.
struct ProtocolCount {
  std::size_t total = 0, ipv4 = 0, ipv6 = 0;
  std::map<std::string, std::size_t> states;  // By the name ss prints.
};
struct SocketSummary {
  std::size_t total = 0;
  std::map<std::string, ProtocolCount> protocols;  // "tcp", "udp", "unix".
};
SocketSummary summarize(const SocketListing& listing);

}  // namespace soket::clients
