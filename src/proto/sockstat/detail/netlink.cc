#include "proto/sockstat/detail/netlink.h"

#include <algorithm>
#include <bit>

#include "proto/sockstat/inet_diag.h"

namespace soket::proto::sockstat::detail {
namespace {

// Netlink speaks the host's byte order.
constexpr bool kHostIsLittle = std::endian::native == std::endian::little;

// Netlink messages and attributes are padded to 4 bytes (NLMSG_ALIGN, RTA_ALIGN).
constexpr std::size_t align4(std::size_t n) {
  return (n + 3u) & ~std::size_t{3};
}

}  // namespace

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

//   nlmsghdr: len (u32) | type (u16) | flags (u16) | seq (u32) | pid (u32)
void start_request(ByteWriter& w, std::uint32_t sequence) {
  put_host_u32(w, 0);  // Length, patched by finish_request.
  put_host_u16(w, kSockDiagByFamily);
  put_host_u16(w, kRequest | kDump);
  put_host_u32(w, sequence);
  put_host_u32(w, 0);
}

std::vector<std::byte> finish_request(ByteWriter& w) {
  const auto length = static_cast<std::uint32_t>(w.size());
  kHostIsLittle ? w.patch_u32_le(0, length) : w.patch_u32_be(0, length);
  return w.take();
}

std::error_code walk_dump(std::span<const std::byte> datagram, WalkResult& result,
                          const std::function<std::error_code(ByteReader body)>& on_socket) {
  ByteReader reader(datagram);
  while (reader.remaining() >= kHeaderSize) {
    const std::size_t start = reader.position();
    const auto length = host_u32(reader);
    const auto type = host_u16(reader);
    if (!length || !type || !reader.skip(2 + 4 + 4)) return errc::truncated;
    if (*length < kHeaderSize) return errc::bad_length;
    if (*length - kHeaderSize > reader.remaining()) return errc::truncated;
    auto body = reader.sub(*length - kHeaderSize).value();
    if (*type == kNlmsgDone) {
      result.done = true;
      return {};
    }
    if (*type == kNlmsgError) {
      auto code = host_u32(body);
      if (!code) return errc::truncated;
      if (*code != 0) {
        // A negative errno, as an int32; widened first so that INT_MIN cannot overflow.
        result.kernel_errno =
            static_cast<int>(-static_cast<std::int64_t>(static_cast<std::int32_t>(*code)));
        return errc::kernel_error;
      }
    } else if (*type == kSockDiagByFamily) {
      if (auto failed = on_socket(body)) return failed;
    } else {
      return errc::unexpected_type;
    }
    // The last message may end the datagram unpadded.
    if (!reader.seek(std::min(start + align4(*length), datagram.size()))) break;
  }
  return {};
}

//   struct rtattr: rta_len (u16, header included) | rta_type (u16) | payload | pad to 4
std::error_code walk_attributes(
    ByteReader attributes,
    const std::function<std::error_code(std::uint16_t type, ByteReader payload)>& on_attribute) {
  constexpr std::size_t kAttributeHeader = 4;
  while (attributes.remaining() >= kAttributeHeader) {
    const std::size_t start = attributes.position();
    const auto length = host_u16(attributes);
    const auto type = host_u16(attributes);
    if (!length || !type || *length < kAttributeHeader) return errc::bad_attribute;
    auto payload = attributes.sub(*length - kAttributeHeader);
    if (!payload) return errc::bad_attribute;
    // The kernel sets NLA_F_NESTED and NLA_F_NET_BYTEORDER in the top bits of the type.
    if (auto failed = on_attribute(*type & 0x3FFFu, *payload)) return failed;
    const std::size_t total = attributes.position() + attributes.remaining();
    if (!attributes.seek(std::min(start + align4(*length), total))) break;
  }
  return {};
}

}  // namespace soket::proto::sockstat::detail
