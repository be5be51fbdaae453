// The sock_diag netlink protocol for Unix-domain sockets (linux/unix_diag.h), as ss -x uses
// it: a dump request in, SOCK_DIAG_BY_FAMILY messages with attributes out. Sans-I/O: bytes
// in and out only. Errors are the sockstat errc codes of inet_diag.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "proto/sockstat/inet_diag.h"

namespace soket::proto::sockstat {

constexpr std::size_t kMaxUnixName = 108;  // sizeof(sockaddr_un::sun_path).

struct UnixRecord {
  std::uint8_t type = 0;   // SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET.
  std::uint8_t state = 0;  // TCP numbering: ESTAB, LISTEN, or 7 (UNCONN) for a lone socket.
  std::uint32_t inode = 0;
  // sun_path as bound, at most kMaxUnixName bytes: empty when unbound; a path ends before its
  // first NUL; an abstract name starts with a NUL byte and keeps every byte. Hostile bytes: escape
  // before printing.
  std::string name;
  std::optional<std::uint32_t> peer_inode;  // UNIX_DIAG_PEER: the connected peer's inode.
  std::uint32_t recv_q = 0, send_q = 0;     // UNIX_DIAG_RQLEN (listening: backlog, limit).
  std::optional<std::uint32_t> uid;         // UNIX_DIAG_UID (Linux 5.3 and later).
};

// Asks for every Unix socket whose state is in `states`, with its name, peer, queue lengths
// and owner.
std::vector<std::byte> unix_dump_request(std::uint32_t states, std::uint32_t sequence);

// Parses one datagram of a Unix dump's reply, appending its sockets to `out`.
Result<DumpPart> parse_unix_dump(std::span<const std::byte> datagram, std::vector<UnixRecord>& out);

// ss's Netid for a socket type: u_str, u_dgr, u_seq (u_??? for another).
std::string_view unix_type_name(std::uint8_t type);

}  // namespace soket::proto::sockstat
