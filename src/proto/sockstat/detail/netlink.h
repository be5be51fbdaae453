// Netlink framing shared by the inet_diag and unix_diag parsers: the host-order integers
// netlink speaks, the walk over a dump datagram's messages, and the walk over a message's
// attributes (struct rtattr). Sans-I/O: bytes in only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <system_error>
#include <vector>

#include "core/byte_reader.h"
#include "core/byte_writer.h"

namespace soket::proto::sockstat::detail {

constexpr std::uint16_t kSockDiagByFamily = 20;  // linux/sock_diag.h
constexpr std::uint16_t kNlmsgError = 2, kNlmsgDone = 3;
constexpr std::uint16_t kRequest = 0x1, kDump = 0x300;  // NLM_F_REQUEST | NLM_F_ROOT|MATCH
constexpr std::size_t kHeaderSize = 16;

std::optional<std::uint16_t> host_u16(ByteReader& r);
std::optional<std::uint32_t> host_u32(ByteReader& r);
void put_host_u16(ByteWriter& w, std::uint16_t v);
void put_host_u32(ByteWriter& w, std::uint32_t v);

// Writes the 16-byte nlmsghdr of a SOCK_DIAG_BY_FAMILY dump request, its length left to
// finish_request().
void start_request(ByteWriter& w, std::uint32_t sequence);
std::vector<std::byte> finish_request(ByteWriter& w);

struct WalkResult {
  bool done = false;     // NLMSG_DONE seen.
  int kernel_errno = 0;  // With the kernel_error code.
};
// Walks one datagram of a dump's reply and hands each SOCK_DIAG_BY_FAMILY body to
// `on_socket`, which returns an empty error_code when it took the message. Errors are the
// sockstat errc codes (truncated, bad_length, kernel_error, unexpected_type) or whatever
// `on_socket` returned.
std::error_code walk_dump(std::span<const std::byte> datagram, WalkResult& result,
                          const std::function<std::error_code(ByteReader body)>& on_socket);

// Walks the attributes (struct rtattr: len u16, type u16, payload, padded to 4) that follow
// a message's fixed part; `on_attribute` gets each type and a reader over its payload only.
// A length below the rtattr header or past the message is errc::bad_attribute.
std::error_code walk_attributes(
    ByteReader attributes,
    const std::function<std::error_code(std::uint16_t type, ByteReader payload)>& on_attribute);

}  // namespace soket::proto::sockstat::detail
