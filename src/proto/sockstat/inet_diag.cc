#include "proto/sockstat/inet_diag.h"

#include <netinet/in.h>

#include <optional>
#include <string>

#include "core/byte_reader.h"
#include "core/byte_writer.h"
#include "core/error_category.h"
#include "proto/sockstat/detail/netlink.h"

namespace soket::proto::sockstat {
namespace {

using namespace detail;

constexpr std::size_t kSockIdSize = 48;
constexpr std::uint16_t kInetDiagInfo = 2;  // linux/inet_diag.h: INET_DIAG_INFO.

const char* describe(errc code) {
  switch (code) {
    case errc::truncated:
      return "netlink message truncated";
    case errc::bad_length:
      return "netlink message length smaller than its header";
    case errc::kernel_error:
      return "the kernel refused the socket dump";
    case errc::unexpected_type:
      return "unexpected netlink message type";
    case errc::bad_attribute:
      return "netlink attribute length outside its message";
    case errc::short_tcp_info:
      return "TCP info attribute too short";
    case errc::long_unix_name:
      return "Unix socket name longer than 108 bytes";
    case errc::short_attribute:
      return "netlink attribute shorter than its fixed size";
  }
  return "unknown sock_diag error";
}

//   struct tcp_info (linux/tcp.h), the fields read; all u32 in host order from offset 8
//   0 state | ca_state | retransmits | probes | backoff | options | wscale | flags
//   8 rto | ato | snd_mss | rcv_mss | unacked | sacked | lost | retrans | fackets
//  44 last_data_sent | last_ack_sent | last_data_recv | last_ack_recv
//  60 pmtu | rcv_ssthresh | rtt | rttvar | snd_ssthresh | snd_cwnd | advmss | reordering
//  92 rcv_rtt | rcv_space | total_retrans (100)
std::optional<TcpInfo> parse_tcp_info(ByteReader r) {
  if (r.remaining() < kTcpInfoMinSize) return std::nullopt;
  TcpInfo info;
  std::uint32_t words[24];  // Offsets 8 to 104.
  r.skip(2);
  info.retransmits = r.u8().value();
  r.skip(5);
  for (auto& word : words) word = host_u32(r).value();
  auto at = [&](std::size_t offset) { return words[(offset - 8) / 4]; };
  info.rto_us = at(8);
  info.snd_mss = at(16);
  info.rcv_mss = at(20);
  info.retrans = at(36);
  info.rtt_us = at(68);
  info.rttvar_us = at(72);
  info.snd_ssthresh = at(76);
  info.snd_cwnd = at(80);
  info.total_retrans = at(100);
  return info;
}

//   struct inet_diag_msg (72 bytes)
//   +--------+--------+--------+---------+
//   | family | state  | timer  | retrans |
//   +--------+--------+--------+---------+
//   | sport (be16)    | dport (be16)     |   inet_diag_sockid, 48 bytes
//   | src[16] | dst[16] | if (u32) | cookie (2 x u32) |
//   +-------------------------------------+
//   | expires | rqueue | wqueue | uid | inode |   5 x u32, host order
Result<SocketRecord> parse_socket(ByteReader body, std::uint8_t protocol) {
  SocketRecord record;
  record.protocol = protocol;
  auto family = body.u8(), state = body.u8();
  auto sport = (body.skip(2), body.u16_be()), dport = body.u16_be();
  auto src = body.bytes(16), dst = body.bytes(16);
  if (!family || !state || !sport || !dport || !src || !dst || !body.skip(4 + 8 + 4)) {
    return make_error_code(errc::truncated);
  }
  auto rqueue = host_u32(body), wqueue = host_u32(body), uid = host_u32(body),
       inode = host_u32(body);
  if (!rqueue || !wqueue || !uid || !inode) return make_error_code(errc::truncated);
  record.family = *family;
  record.state = *state;
  record.local_port = *sport;
  record.peer_port = *dport;
  std::copy(src->begin(), src->end(), record.local.begin());
  std::copy(dst->begin(), dst->end(), record.peer.begin());
  record.recv_q = *rqueue;
  record.send_q = *wqueue;
  record.uid = *uid;
  record.inode = *inode;
  // Then the attributes asked for. INET_DIAG_INFO comes only for TCP: UDP sockets have no
  // tcp_info, and another protocol's info would be another struct.
  auto failed = walk_attributes(body, [&](std::uint16_t type, ByteReader payload) {
    if (type != kInetDiagInfo || protocol != IPPROTO_TCP) return std::error_code{};
    record.tcp_info = parse_tcp_info(payload);
    return record.tcp_info ? std::error_code{} : make_error_code(errc::short_tcp_info);
  });
  if (failed) return failed;
  return record;
}

}  // namespace

const std::error_category& error_category() {
  static const EnumErrorCategory<errc> category("sock_diag", describe);
  return category;
}

std::error_code make_error_code(errc e) {
  return {static_cast<int>(e), error_category()};
}

//   nlmsghdr (16 bytes), then
//   inet_diag_req_v2: family | protocol | ext | pad | states (u32) | inet_diag_sockid (48)
std::vector<std::byte> dump_request(std::uint8_t family, std::uint8_t protocol,
                                    std::uint32_t states, std::uint32_t sequence, bool tcp_info) {
  ByteWriter w;
  start_request(w, sequence);
  w.u8(family);
  w.u8(protocol);
  w.u8(tcp_info ? 1u << (kInetDiagInfo - 1) : 0);  // idiag_ext: one bit per attribute.
  w.u8(0);
  put_host_u32(w, states);
  w.zeros(kSockIdSize);
  return finish_request(w);
}

Result<DumpPart> parse_dump(std::span<const std::byte> datagram, std::uint8_t protocol,
                            std::vector<SocketRecord>& out) {
  WalkResult walk;
  auto failed = walk_dump(datagram, walk, [&](ByteReader body) {
    auto record = parse_socket(body, protocol);
    if (!record) return record.error();
    out.push_back(std::move(*record));
    return std::error_code{};
  });
  if (failed) return failed;
  return DumpPart{walk.done, walk.kernel_errno};
}

std::string_view state_name(std::uint8_t state) {
  switch (state) {
    case kEstablished:
      return "ESTAB";
    case kSynSent:
      return "SYN-SENT";
    case kSynRecv:
      return "SYN-RECV";
    case kFinWait1:
      return "FIN-WAIT-1";
    case kFinWait2:
      return "FIN-WAIT-2";
    case kTimeWait:
      return "TIME-WAIT";
    case kClose:
      return "UNCONN";
    case kCloseWait:
      return "CLOSE-WAIT";
    case kLastAck:
      return "LAST-ACK";
    case kListen:
      return "LISTEN";
    case kClosing:
      return "CLOSING";
    case kNewSynRecv:
      return "SYN-RECV";
    default:
      return "UNKNOWN";
  }
}

}  // namespace soket::proto::sockstat
