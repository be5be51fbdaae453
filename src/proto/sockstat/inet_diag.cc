#include "proto/sockstat/inet_diag.h"
#include "core/error_category.h"

#include <bit>
#include <optional>
#include <string>

#include "core/byte_reader.h"
#include "core/byte_writer.h"

namespace soket::proto::sockstat {
namespace {

constexpr std::uint16_t kSockDiagByFamily = 20;  // linux/sock_diag.h
constexpr std::uint16_t kNlmsgError = 2, kNlmsgDone = 3;
constexpr std::uint16_t kRequest = 0x1, kDump = 0x300;  // NLM_F_REQUEST | NLM_F_ROOT|MATCH
constexpr std::size_t kHeaderSize = 16;
constexpr std::size_t kSockIdSize = 48;

// Netlink speaks the host's byte order.
constexpr bool kHostIsLittle = std::endian::native == std::endian::little;
std::optional<std::uint16_t> host_u16(ByteReader& r) {
  return kHostIsLittle ? r.u16_le() : r.u16_be();
}
std::optional<std::uint32_t> host_u32(ByteReader& r) {
  return kHostIsLittle ? r.u32_le() : r.u32_be();
}
void put_host_u16(ByteWriter& w, std::uint16_t v) {
  kHostIsLittle ? w.u16_le(v) : w.u16_be(v);
}
void put_host_u32(ByteWriter& w, std::uint32_t v) {
  kHostIsLittle ? w.u32_le(v) : w.u32_be(v);
}

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
  }
  return "unknown sock_diag error";
}

//   struct inet_diag_msg (72 bytes)
//   +--------+--------+--------+---------+
//   | family | state  | timer  | retrans |
//   +--------+--------+--------+---------+
//   | sport (be16)    | dport (be16)     |   inet_diag_sockid, 48 bytes
//   | src[16] | dst[16] | if (u32) | cookie (2 x u32) |
//   +-------------------------------------+
//   | expires | rqueue | wqueue | uid | inode |   5 x u32, host order
std::optional<SocketRecord> parse_socket(ByteReader body, std::uint8_t protocol) {
  SocketRecord record;
  record.protocol = protocol;
  auto family = body.u8(), state = body.u8();
  auto sport = (body.skip(2), body.u16_be()), dport = body.u16_be();
  auto src = body.bytes(16), dst = body.bytes(16);
  if (!family || !state || !sport || !dport || !src || !dst || !body.skip(4 + 8 + 4)) {
    return std::nullopt;
  }
  auto rqueue = host_u32(body), wqueue = host_u32(body), uid = host_u32(body),
       inode = host_u32(body);
  if (!rqueue || !wqueue || !uid || !inode) return std::nullopt;
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

//   nlmsghdr: len (u32) | type (u16) | flags (u16) | seq (u32) | pid (u32)
//   inet_diag_req_v2: family | protocol | ext | pad | states (u32) | inet_diag_sockid (48)
std::vector<std::byte> dump_request(std::uint8_t family, std::uint8_t protocol,
                                    std::uint32_t states, std::uint32_t sequence) {
  ByteWriter w;
  put_host_u32(w, 0);  // Length, patched below.
  put_host_u16(w, kSockDiagByFamily);
  put_host_u16(w, kRequest | kDump);
  put_host_u32(w, sequence);
  put_host_u32(w, 0);
  w.u8(family);
  w.u8(protocol);
  w.u8(0);
  w.u8(0);
  put_host_u32(w, states);
  w.zeros(kSockIdSize);
  const auto length = static_cast<std::uint32_t>(w.size());
  kHostIsLittle ? w.patch_u32_le(0, length) : w.patch_u32_be(0, length);
  return w.take();
}

Result<DumpPart> parse_dump(std::span<const std::byte> datagram, std::uint8_t protocol,
                            std::vector<SocketRecord>& out) {
  ByteReader reader(datagram);
  DumpPart part;
  while (reader.remaining() >= kHeaderSize) {
    const std::size_t start = reader.position();
    const auto length = host_u32(reader);
    const auto type = host_u16(reader);
    if (!length || !type || !reader.skip(2 + 4 + 4)) return make_error_code(errc::truncated);
    if (*length < kHeaderSize) return make_error_code(errc::bad_length);
    if (*length - kHeaderSize > reader.remaining()) return make_error_code(errc::truncated);
    auto body = reader.sub(*length - kHeaderSize).value();
    if (*type == kNlmsgDone) {
      part.done = true;
      return part;
    }
    if (*type == kNlmsgError) {
      auto code = host_u32(body);
      if (!code) return make_error_code(errc::truncated);
      if (*code != 0) {
        // A negative errno, as an int32; widened first so that INT_MIN cannot overflow.
        part.kernel_errno =
            static_cast<int>(-static_cast<std::int64_t>(static_cast<std::int32_t>(*code)));
        return make_error_code(errc::kernel_error);
      }
    } else if (*type == kSockDiagByFamily) {
      auto record = parse_socket(body, protocol);
      if (!record) return make_error_code(errc::truncated);
      out.push_back(*record);
    } else {
      return make_error_code(errc::unexpected_type);
    }
    // Messages are padded to 4 bytes (NLMSG_ALIGN); the last may end the datagram unpadded.
    const std::size_t aligned = (*length + 3u) & ~std::size_t{3};
    if (!reader.seek(std::min(start + aligned, datagram.size()))) break;
  }
  return part;
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
