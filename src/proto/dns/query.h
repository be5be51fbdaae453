// Building a DNS query (RFC 1035 section 4.1, RFC 6891) and the PTR name for an address.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace soket::proto::dns {

struct QuerySpec {
  std::uint16_t id = 0;  // From a cryptographic random source: a guessable ID invites spoofing.
  std::string name;      // ASCII (already converted from an internationalised name).
  std::uint16_t qtype = 1;
  bool recursion_desired = true;
  std::uint16_t edns_udp_size = 1232;  // 0: no OPT record.
  std::uint16_t qclass = 1;            // IN; CH for "version.bind CH TXT".
  bool dnssec_ok = false;              // The DO bit of the OPT record (RFC 3225).
};

// Errors: errc::empty_label, label_too_long, name_too_long.
Result<std::vector<std::byte>> build_query(const QuerySpec& spec);
// With the 2-byte length in front, for DNS over TCP (RFC 1035 section 4.2.2).
Result<std::vector<std::byte>> build_tcp_query(const QuerySpec& spec);

// Whether `name` can go in a query (labels of 1 to 63 bytes, 255 in all).
Result<void> check_name(std::string_view name);

// "192.0.2.1" -> "1.2.0.192.in-addr.arpa.", "2001:db8::1" -> "1.0.0....8.b.d.0.1.0.0.2.ip6.arpa."
std::optional<std::string> reverse_name(std::string_view address);

}  // namespace soket::proto::dns
