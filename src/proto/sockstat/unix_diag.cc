#include "proto/sockstat/unix_diag.h"

#include <sys/socket.h>

#include <algorithm>

#include "core/byte_reader.h"
#include "core/byte_writer.h"
#include "proto/sockstat/detail/netlink.h"

namespace soket::proto::sockstat {
namespace {

using namespace detail;

// linux/unix_diag.h: the attribute types and the udiag_show bits that ask for them.
enum : std::uint16_t {
  kUnixDiagName = 0,
  kUnixDiagPeer = 2,
  kUnixDiagRqlen = 4,
  kUnixDiagUid = 7,
};
constexpr std::uint32_t kShowName = 0x01, kShowPeer = 0x04, kShowRqlen = 0x10, kShowUid = 0x40;

std::error_code take_attribute(UnixRecord& record, std::uint16_t type, ByteReader payload) {
  switch (type) {
    case kUnixDiagName: {
      if (payload.remaining() > kMaxUnixName) return errc::long_unix_name;
      const auto bytes = payload.bytes(payload.remaining()).value();
      record.name.clear();
      for (const std::byte b : bytes) record.name.push_back(static_cast<char>(b));
      // A path name ends at its first NUL (binders may count the terminator in the length);
      // an abstract name (a leading NUL) is all of its bytes.
      if (!record.name.empty() && record.name.front() != '\0') {
        record.name.resize(std::min(record.name.size(), record.name.find('\0')));
      }
      return {};
    }
    case kUnixDiagPeer: {
      auto peer = host_u32(payload);
      if (!peer) return errc::short_attribute;
      record.peer_inode = *peer;
      return {};
    }
    case kUnixDiagRqlen: {  // struct unix_diag_rqlen: udiag_rqueue | udiag_wqueue
      auto rqueue = host_u32(payload), wqueue = host_u32(payload);
      if (!rqueue || !wqueue) return errc::short_attribute;
      record.recv_q = *rqueue;
      record.send_q = *wqueue;
      return {};
    }
    case kUnixDiagUid: {
      auto uid = host_u32(payload);
      if (!uid) return errc::short_attribute;
      record.uid = *uid;
      return {};
    }
    default:
      return {};  // Attributes not asked for, or newer than soket, are skipped.
  }
}

//   struct unix_diag_msg (16 bytes), then attributes
//   +--------+------+-------+-----+
//   | family | type | state | pad |
//   +--------+------+-------+-----+
//   | ino (u32) | cookie (2 x u32) |
Result<UnixRecord> parse_unix_socket(ByteReader body) {
  UnixRecord record;
  auto family = body.u8(), type = body.u8(), state = body.u8();
  if (!family || !type || !state || !body.skip(1)) return make_error_code(errc::truncated);
  auto inode = host_u32(body);
  if (!inode || !body.skip(8)) return make_error_code(errc::truncated);
  record.type = *type;
  record.state = *state;
  record.inode = *inode;
  auto failed = walk_attributes(body, [&](std::uint16_t attribute, ByteReader payload) {
    return take_attribute(record, attribute, payload);
  });
  if (failed) return failed;
  return record;
}

}  // namespace

//   nlmsghdr (16 bytes), then
//   unix_diag_req: family | protocol | pad (u16) | states (u32) | ino (u32) | show (u32) |
//                  cookie (2 x u32)
std::vector<std::byte> unix_dump_request(std::uint32_t states, std::uint32_t sequence) {
  ByteWriter w;
  start_request(w, sequence);
  w.u8(AF_UNIX);
  w.u8(0);
  w.zeros(2);
  put_host_u32(w, states);
  put_host_u32(w, 0);  // Every inode.
  put_host_u32(w, kShowName | kShowPeer | kShowRqlen | kShowUid);
  w.zeros(8);
  return finish_request(w);
}

Result<DumpPart> parse_unix_dump(std::span<const std::byte> datagram,
                                 std::vector<UnixRecord>& out) {
  WalkResult walk;
  auto failed = walk_dump(datagram, walk, [&](ByteReader body) {
    auto record = parse_unix_socket(body);
    if (!record) return record.error();
    out.push_back(std::move(*record));
    return std::error_code{};
  });
  if (failed) return failed;
  return DumpPart{walk.done, walk.kernel_errno};
}

std::string_view unix_type_name(std::uint8_t type) {
  switch (type) {
    case SOCK_STREAM:
      return "u_str";
    case SOCK_DGRAM:
      return "u_dgr";
    case SOCK_SEQPACKET:
      return "u_seq";
    default:
      return "u_???";
  }
}

}  // namespace soket::proto::sockstat
