// Pieces of the presentation (zone-file) form that many record types share, written as dig
// (BIND 9.18) writes them: hex and base64 cut into words of 56 characters (dig's +split
// default), base32hex for NSEC3 hashes (RFC 4648 section 7), quoted character-strings with
// '"' and '\' escaped and every byte outside 0x20..0x7E as \DDD, and type bitmaps (RFC 4034
// section 4.1.2). The output is always printable ASCII: no reply can reach a terminal raw.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <system_error>

#include "core/result.h"
#include "proto/dns/detail/rdata_cursor.h"

namespace soket::proto::dns::detail {

inline constexpr std::size_t kSplitWidth = 56;  // dig's +split=56.

std::string hex_upper(std::span<const std::byte> bytes);
std::string hex_split(std::span<const std::byte> bytes);  // "0123...(56) CDEF", "" if empty.
std::string base64_split(std::span<const std::byte> bytes);
std::string base32hex(std::span<const std::byte> bytes);  // Upper case, no padding.
// `"text"`; with `escape_comma`, a ',' is written `\,` (SVCB's alpn list).
std::string quoted(std::span<const std::byte> bytes, bool escape_comma = false);
// The types of an RFC 4034 section 4.1.2 bitmap: "A NS SOA RRSIG". Windows must rise and each
// hold 1 to 32 bytes; errc::bad_rdata otherwise. Reads to the end of the cursor.
Result<std::string> type_bitmap(RdataCursor& cursor);
// An IPv4 (AF_INET, 4 bytes) or IPv6 (AF_INET6, 16 bytes) address in its usual text form.
std::string address_text(int family, std::span<const std::byte> bytes);
// errc::bad_rdata: what every printer returns for rdata that breaks its type's layout.
std::error_code bad_rdata();
// dig's words joined by single spaces, empty ones left out.
std::string words(std::initializer_list<std::string> parts);

}  // namespace soket::proto::dns::detail
