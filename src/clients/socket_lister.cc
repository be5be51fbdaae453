#include "clients/socket_lister.h"

#include <dirent.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <unordered_map>

#include "net/deadline_io.h"
#include "net/socket_ops.h"
#include "proto/sockstat/inet_diag.h"
#include "proto/sockstat/unix_diag.h"

namespace soket::clients {
namespace {

using namespace proto::sockstat;

// Listening means LISTEN for TCP and unconnected (CLOSE) for UDP, as ss has it; for Unix
// sockets both (a listening stream socket, a bound datagram socket).
std::uint32_t states_for(const SocketQuery& query, int protocol) {
  if (query.filter && query.filter->states()) return *query.filter->states();
  const std::uint32_t listening = protocol == IPPROTO_TCP ? state_bit(kListen)
                                  : protocol == IPPROTO_UDP
                                      ? state_bit(kClose)
                                      : state_bit(kListen) | state_bit(kClose);
  switch (query.selection) {
    case SocketSelection::listening:
      return listening;
    case SocketSelection::all:
      return kAllStates;
    case SocketSelection::connected:
      return kAllStates & ~listening;
  }
  return kAllStates;
}

net::Address to_address(std::uint8_t family, const std::array<std::byte, 16>& bytes,
                        std::uint16_t port) {
  sockaddr_in6 v6{};
  sockaddr_in v4{};
  if (family == AF_INET) {
    v4.sin_family = AF_INET;
    v4.sin_port = htons(port);
    std::memcpy(&v4.sin_addr, bytes.data(), 4);
    return net::Address(reinterpret_cast<const sockaddr*>(&v4), sizeof v4);
  }
  v6.sin6_family = AF_INET6;
  v6.sin6_port = htons(port);
  std::memcpy(&v6.sin6_addr, bytes.data(), 16);
  return net::Address(reinterpret_cast<const sockaddr*>(&v6), sizeof v6);
}

// One dump: a request, then datagrams until NLMSG_DONE, each handed to `parse`.
template <typename Parse>
Result<void> dump(int fd, const std::vector<std::byte>& request, Parse parse) {
  const TimePoint deadline = Clock::now() + std::chrono::seconds(5);
  if (auto sent = net::write_all(fd, request, deadline); !sent) return sent;
  std::vector<std::byte> datagram(64 * 1024);
  for (;;) {
    auto got = net::read_some(fd, datagram, deadline);
    if (!got) return got.error();
    auto part = parse(std::span(datagram).first(*got));
    if (!part) return part.error();
    if (part->done) return {};
  }
}

// inode -> process, from the "socket:[inode]" links in /proc/PID/fd.
std::unordered_map<std::uint32_t, OwningProcess> socket_owners(bool& some_hidden) {
  std::unordered_map<std::uint32_t, OwningProcess> owners;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) {
    some_hidden = true;
    return owners;
  }
  while (const dirent* entry = ::readdir(proc)) {
    const std::string pid_text = entry->d_name;
    if (pid_text.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string fd_dir = "/proc/" + pid_text + "/fd";
    DIR* fds = ::opendir(fd_dir.c_str());
    if (fds == nullptr) {
      some_hidden = some_hidden || errno == EACCES;
      continue;
    }
    std::string name;
    std::ifstream("/proc/" + pid_text + "/comm") >> name;
    while (const dirent* fd = ::readdir(fds)) {
      char target[64];
      const std::string link = fd_dir + "/" + fd->d_name;
      const ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
      if (n <= 0) continue;
      target[n] = '\0';
      unsigned long inode = 0;
      if (std::sscanf(target, "socket:[%lu]", &inode) == 1) {
        owners.try_emplace(static_cast<std::uint32_t>(inode),
                           OwningProcess{static_cast<pid_t>(std::stol(pid_text)), name});
      }
    }
    ::closedir(fds);
  }
  ::closedir(proc);
  return owners;
}

ListedSocket to_listed(const SocketRecord& record) {
  ListedSocket s;
  s.protocol = record.protocol == IPPROTO_TCP ? "tcp" : "udp";
  s.state = std::string(state_name(record.state));
  s.recv_q = record.recv_q;
  s.send_q = record.send_q;
  s.local = to_address(record.family, record.local, record.local_port);
  s.peer = to_address(record.family, record.peer, record.peer_port);
  s.has_peer = record.peer_port != 0;
  s.uid = record.uid;
  s.inode = record.inode;
  s.tcp_info = record.tcp_info;
  return s;
}

ListedSocket to_listed(const UnixRecord& record) {
  ListedSocket s;
  s.protocol = std::string(unix_type_name(record.type));
  s.state = std::string(state_name(record.state));
  s.recv_q = record.recv_q;
  s.send_q = record.send_q;
  s.is_unix = true;
  s.unix_name = record.name;
  s.peer_inode = record.peer_inode;
  s.has_peer = record.peer_inode.has_value() && *record.peer_inode != 0;
  s.uid = record.uid;
  s.inode = record.inode;
  return s;
}

bool selected(const SocketQuery& query, const SocketRecord& record) {
  if (query.port && record.local_port != *query.port && record.peer_port != *query.port) {
    return false;
  }
  if (!query.filter) return true;
  return query.filter->matches({record.family, record.local, record.local_port},
                               {record.family, record.peer, record.peer_port});
}

Result<void> list_inet(int fd, const SocketQuery& query, SocketListing& listing) {
  std::vector<SocketRecord> records;
  for (const std::uint8_t protocol : {std::uint8_t{IPPROTO_TCP}, std::uint8_t{IPPROTO_UDP}}) {
    if ((protocol == IPPROTO_TCP && !query.tcp) || (protocol == IPPROTO_UDP && !query.udp))
      continue;
    const std::uint32_t states = states_for(query, protocol);
    const bool info = query.tcp_info && protocol == IPPROTO_TCP;
    for (const std::uint8_t family : {std::uint8_t{AF_INET}, std::uint8_t{AF_INET6}}) {
      if ((family == AF_INET && !query.ipv4) || (family == AF_INET6 && !query.ipv6)) continue;
      const auto request = dump_request(family, protocol, states, 1, info);
      auto done = dump(fd, request, [&](std::span<const std::byte> datagram) {
        return parse_dump(datagram, protocol, records);
      });
      if (!done) return done.error();
    }
  }
  for (const auto& record : records) {
    if (selected(query, record)) listing.sockets.push_back(to_listed(record));
  }
  return {};
}

Result<void> list_unix(int fd, const SocketQuery& query, SocketListing& listing) {
  // An address or port expression, or --port, selects TCP and UDP sockets only.
  if (query.port || (query.filter && query.filter->has_expression())) return {};
  std::vector<UnixRecord> records;
  const auto request = unix_dump_request(states_for(query, 0), 1);
  auto done = dump(fd, request, [&](std::span<const std::byte> datagram) {
    return parse_unix_dump(datagram, records);
  });
  if (!done) return done.error();
  for (const auto& record : records) listing.sockets.push_back(to_listed(record));
  return {};
}

}  // namespace

Result<SocketListing> list_sockets(const SocketQuery& query) {
  auto fd = net::open_socket(AF_NETLINK, SOCK_DGRAM, NETLINK_SOCK_DIAG);
  if (!fd) return fd.error();
  SocketListing listing;
  if (auto done = list_inet(fd->get(), query, listing); !done) return done.error();
  if (query.unix_sockets) {
    if (auto done = list_unix(fd->get(), query, listing); !done) return done.error();
  }
  if (query.processes) {
    const auto owners = socket_owners(listing.some_processes_hidden);
    for (auto& s : listing.sockets) {
      if (const auto it = owners.find(s.inode); it != owners.end()) s.process = it->second;
    }
  }
  return listing;
}

SocketSummary summarize(const SocketListing& listing) {
  SocketSummary summary;
  for (const auto& s : listing.sockets) {
    auto& count = summary.protocols[s.is_unix ? "unix" : s.protocol];
    ++summary.total;
    ++count.total;
    if (!s.is_unix) ++(s.local.is_v6() ? count.ipv6 : count.ipv4);
    ++count.states[s.state];
  }
  return summary;
}

}  // namespace soket::clients
