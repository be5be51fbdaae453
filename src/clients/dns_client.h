// The DNS client behind `soket dns`: queries over UDP from a random source port with a random
// ID, retried on timeout, repeated over TCP when the reply is truncated (TC=1).
//
// Several servers (resolv.conf's) are tried in order, as glibc's resolver does: each try asks
// one server and waits `timeout`; a server that stays silent is followed by the next one, and
// after the last one the next round starts, `tries` rounds in all. The UDP socket is
// connect(2)ed to its server, so an ICMP port-unreachable comes back as ECONNREFUSED at once:
// that server is dropped from the later rounds and the next one is asked without waiting.
//
// Spoofing defence: a datagram counts only if it comes from the server's address and port
// and carries our ID and our question; anything else is ignored and the wait goes on:
// datagrams too short for a header, another ID, another question. A datagram with our ID
// that does not parse is ignored too, but remembered: if no good reply comes before the try
// ends, the query fails with what was wrong with it (the server did answer, so it is not
// asked again). A flood of datagrams cannot hold a query past its deadline: at most
// kMaxDatagramsPerWake are read before the clocks are looked at again, and no more once the
// try's deadline has passed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "net/address.h"
#include "net/resolver.h"
#include "proto/dns/message.h"

namespace soket::clients {

// Failures of the exchange itself, apart from malformed replies (proto::dns::errc).
enum class dns_errc {
  closed_before_reply = 1,  // The TCP peer closed before the first byte of its reply.
  closed_mid_reply,         // The TCP peer closed with its reply incomplete.
};
const std::error_category& dns_error_category();
std::error_code make_error_code(dns_errc e);

// Datagrams read from one socket per wake-up, at most (then the deadlines are checked).
inline constexpr int kMaxDatagramsPerWake = 64;

struct DnsOptions {
  Duration timeout = std::chrono::seconds(5);  // Per try (one server, one wait).
  int tries = 3;                               // Rounds over the servers.
  bool tcp = false;                            // TCP from the start.
  bool recurse = true;
  bool dnssec = false;  // The DO bit (RFC 3225): ask for the DNSSEC records too.
};

struct DnsQuery {
  std::string name;  // ASCII; see to_ascii_name().
  std::uint16_t qtype = proto::dns::type::a;
  std::uint16_t qclass = proto::dns::kClassIn;
};

struct DnsResponse {
  proto::dns::Message message;
  net::Transport transport = net::Transport::udp;
  Duration elapsed{};
  std::size_t size = 0;           // Bytes of the reply.
  bool retried_over_tcp = false;  // The UDP reply was truncated.
};

// What became of one query: its response, or its error and whether that error came from
// the TCP retry of a truncated UDP reply (so a closed or reset retry is not taken for a
// fault of the UDP reply).
struct DnsOutcome {
  Result<DnsResponse> response = make_error_code(std::errc::operation_canceled);
  bool in_tcp_retry = false;
  std::size_t server = 0;  // The index of the server that answered, or that was tried last.
  Duration waited{};       // From the first try to the end, all servers and tries together.
  int tries = 0;           // Tries made, over all servers.
};

// Errors: std::errc::timed_out (some server stayed silent through every try; over TCP a try
// is the whole exchange, so a reply trickled byte by byte ends there too), socket errors
// (connection_refused when every server refused, connection_reset...), dns_errc, and
// proto::dns::errc for a malformed reply (or for a name that cannot be encoded).
Result<DnsResponse> query_dns(const net::Address& server, const DnsQuery& query,
                              const DnsOptions& options);
// Many queries, `concurrency` in flight at once, each with its own timeouts and tries over
// `servers` (at least one). Outcomes come in the order of `queries`.
std::vector<DnsOutcome> query_dns_many(const std::vector<net::Address>& servers,
                                       const std::vector<DnsQuery>& queries,
                                       const DnsOptions& options, int concurrency);

// An internationalised name to its ASCII form (IDNA 2008, with libidn2); ASCII as it is.
Result<std::string> to_ascii_name(std::string_view name);

}  // namespace soket::clients

template <>
struct std::is_error_code_enum<soket::clients::dns_errc> : std::true_type {};
