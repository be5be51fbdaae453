// Parsing a DNS reply (RFC 1035 section 4.1, RFC 3596, RFC 6891), strictly: every count,
// name and rdlength is checked against the bytes there are, and each defect has its own
// error (see errc in message.h). No allocation beyond the result; never reads past `bytes`.
#pragma once

#include <span>

#include "core/result.h"
#include "proto/dns/message.h"

namespace soket::proto::dns {

Result<Message> parse_message(std::span<const std::byte> bytes);

// Just the 12-byte header (to match a reply's ID before the full parse).
Result<Header> parse_header(std::span<const std::byte> bytes);

}  // namespace soket::proto::dns
