// The rdata of a record in presentation form, as dig (BIND 9.18) prints it: every type dig
// knows how to print in its own words (A to ZONEMD, SVCB/HTTPS, the DNSSEC records), and any
// other in RFC 3597's generic form `\# length HEX`. Pure functions over bytes; the output is
// always printable ASCII (every byte from the wire that is not is written \DDD or in hex).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace soket::proto::dns {

// The rdata of type `rtype` at message[offset, offset + length). Names in it may point back
// into `message`. Errors: errc::bad_rdata when the bytes do not fit the type (a field
// missing or left over, a bitmap out of order); the name errors of names.h.
Result<std::string> rdata_text(std::uint16_t rtype, std::span<const std::byte> message,
                               std::size_t offset, std::size_t length);

// RFC 3597 section 5: "\# 0", or "\# 3 0A0B0C" (the hex cut into words as dig does).
std::string generic_rdata_text(std::span<const std::byte> rdata);
// The bytes of a generic form, as a zone file would give it: "\#", the length, then hex
// digits (either case, spaces anywhere between pairs). Errors: errc::bad_rdata.
Result<std::vector<std::byte>> parse_generic_rdata(std::string_view text);

}  // namespace soket::proto::dns
