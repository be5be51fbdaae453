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

namespace soket::clients {
namespace {

using namespace proto::sockstat;

// Listening means LISTEN for TCP and unconnected (CLOSE) for UDP, as ss has it.
std::uint32_t states_for(SocketSelection selection, std::uint8_t protocol) {
  const std::uint32_t listening = protocol == IPPROTO_TCP ? state_bit(kListen) : state_bit(kClose);
  switch (selection) {
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

// One dump: a request for a family and protocol, then datagrams until NLMSG_DONE.
Result<void> dump(int fd, std::uint8_t family, std::uint8_t protocol, std::uint32_t states,
                  std::vector<SocketRecord>& out) {
  const auto request = dump_request(family, protocol, states, 1);
  const TimePoint deadline = Clock::now() + std::chrono::seconds(5);
  if (auto sent = net::write_all(fd, request, deadline); !sent) return sent;
  std::vector<std::byte> datagram(64 * 1024);
  for (;;) {
    auto got = net::read_some(fd, datagram, deadline);
    if (!got) return got.error();
    auto part = parse_dump(std::span(datagram).first(*got), protocol, out);
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
  s.inode = record.inode;
  return s;
}

}  // namespace

Result<SocketListing> list_sockets(const SocketQuery& query) {
  auto fd = net::open_socket(AF_NETLINK, SOCK_DGRAM, NETLINK_SOCK_DIAG);
  if (!fd) return fd.error();
  std::vector<SocketRecord> records;
  for (const std::uint8_t protocol : {std::uint8_t{IPPROTO_TCP}, std::uint8_t{IPPROTO_UDP}}) {
    if ((protocol == IPPROTO_TCP && !query.tcp) || (protocol == IPPROTO_UDP && !query.udp))
      continue;
    const std::uint32_t states = states_for(query.selection, protocol);
    for (const std::uint8_t family : {std::uint8_t{AF_INET}, std::uint8_t{AF_INET6}}) {
      if (auto done = dump(fd->get(), family, protocol, states, records); !done)
        return done.error();
    }
  }
  SocketListing listing;
  for (const auto& record : records) {
    if (query.port && record.local_port != *query.port && record.peer_port != *query.port) continue;
    listing.sockets.push_back(to_listed(record));
  }
  if (query.processes) {
    const auto owners = socket_owners(listing.some_processes_hidden);
    for (auto& s : listing.sockets) {
      if (const auto it = owners.find(s.inode); it != owners.end()) s.process = it->second;
    }
  }
  return listing;
}

}  // namespace soket::clients
