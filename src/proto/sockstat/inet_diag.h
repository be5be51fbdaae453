// The sock_diag netlink protocol for IPv4/IPv6 sockets (linux/inet_diag.h), as ss uses it:
// a dump request in, SOCK_DIAG_BY_FAMILY messages out. Sans-I/O: bytes in and out only.
//
// Netlink headers and counters are in the host's byte order; ports are big-endian and
// addresses are raw network bytes, as in a sockaddr.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <system_error>
#include <vector>

#include "core/result.h"

namespace soket::proto::sockstat {

// TCP states as the kernel numbers them (include/net/tcp_states.h); UDP uses 1 (connected)
// and 7 (unconnected).
enum TcpState : std::uint8_t {
  kEstablished = 1,
  kSynSent,
  kSynRecv,
  kFinWait1,
  kFinWait2,
  kTimeWait,
  kClose,
  kCloseWait,
  kLastAck,
  kListen,
  kClosing,
  kNewSynRecv,
};
constexpr std::uint32_t state_bit(std::uint8_t state) {
  return 1u << state;
}
constexpr std::uint32_t kAllStates = 0xFFFu;

// What ss -i shows, from the INET_DIAG_INFO attribute (struct tcp_info, linux/tcp.h). Times
// are in microseconds, as the kernel gives them.
struct TcpInfo {
  std::uint8_t retransmits = 0;  // Of the segment now being retransmitted.
  std::uint32_t rto_us = 0, snd_mss = 0, rcv_mss = 0;
  std::uint32_t retrans = 0;  // Segments retransmitted and not yet acknowledged.
  std::uint32_t rtt_us = 0, rttvar_us = 0;
  std::uint32_t snd_ssthresh = 0, snd_cwnd = 0;
  std::uint32_t total_retrans = 0;  // Over the connection's life.
};
constexpr std::size_t kTcpInfoMinSize = 104;  // Up to tcpi_total_retrans (Linux 2.6.12).

struct SocketRecord {
  std::uint8_t family = 0;    // AF_INET or AF_INET6.
  std::uint8_t protocol = 0;  // IPPROTO_TCP or IPPROTO_UDP (from the request: not on the wire).
  std::uint8_t state = 0;
  std::array<std::byte, 16> local{}, peer{};  // 4 bytes used for IPv4.
  std::uint16_t local_port = 0, peer_port = 0;
  std::uint32_t recv_q = 0, send_q = 0;  // Listening TCP: the accept queue and its limit.
  std::uint32_t uid = 0, inode = 0;
  std::optional<TcpInfo> tcp_info;  // When asked for (TCP only) and the kernel sent it.
};

enum class errc {
  truncated = 1,    // A header or body runs past the datagram.
  bad_length,       // nlmsg_len smaller than its header.
  kernel_error,     // NLMSG_ERROR with a non-zero code (the errno is in DumpPart).
  unexpected_type,  // Neither a socket, nor DONE, nor ERROR.
  bad_attribute,    // An attribute shorter than its header or longer than its message.
  short_tcp_info,   // INET_DIAG_INFO shorter than the fields soket reads.
  long_unix_name,   // UNIX_DIAG_NAME longer than sun_path (108 bytes).
  short_attribute,  // A fixed-size attribute (peer inode, queue lengths, uid) too short.
};
const std::error_category& error_category();
std::error_code make_error_code(errc e);

// With `tcp_info`, the kernel adds INET_DIAG_INFO (struct tcp_info) to each TCP socket.
std::vector<std::byte> dump_request(std::uint8_t family, std::uint8_t protocol,
                                    std::uint32_t states, std::uint32_t sequence,
                                    bool tcp_info = false);

struct DumpPart {
  bool done = false;     // NLMSG_DONE seen: the dump is complete.
  int kernel_errno = 0;  // With errc::kernel_error.
};
// Parses one datagram of a dump's reply, appending its sockets to `out`.
Result<DumpPart> parse_dump(std::span<const std::byte> datagram, std::uint8_t protocol,
                            std::vector<SocketRecord>& out);

// The names ss prints: ESTAB, LISTEN, TIME-WAIT, ...; UDP's 7 is UNCONN.
std::string_view state_name(std::uint8_t state);

}  // namespace soket::proto::sockstat

template <>
struct std::is_error_code_enum<soket::proto::sockstat::errc> : std::true_type {};
