// Domain names on the wire (RFC 1035 sections 3.1 and 4.1.4): encoding a name for a query,
// and reading one, compression pointers included, from a reply.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "core/byte_reader.h"
#include "core/byte_writer.h"
#include "core/result.h"

namespace soket::proto::dns {

inline constexpr std::size_t kMaxLabel = 63;
inline constexpr std::size_t kMaxName = 255;  // Wire bytes, the root's zero included.
inline constexpr int kMaxPointerHops = 64;    // c-ares' ARES_MAX_INDIRS is smaller still.

// Writes `name` ("example.com", "example.com." or "." for the root) in wire form.
Result<void> write_name(ByteWriter& out, std::string_view name);
// Reads a name at `reader`'s position, following pointers into `message`; leaves the
// reader after the name's bytes (after the first pointer, if any). Presentation form.
// `reader` must read `message` itself, so that its positions are offsets in the message.
Result<std::string> read_name(ByteReader& reader, std::span<const std::byte> message);
// Presentation form of one label: '.', '\\', '"', ';', '(' and ')' escaped with a
// backslash, bytes outside 0x21..0x7E as \DDD, as dig prints them.
std::string escape_label(std::span<const std::byte> label);
// Case-insensitive comparison of two presentation names, ignoring a final dot.
bool same_name(std::string_view a, std::string_view b);

}  // namespace soket::proto::dns
