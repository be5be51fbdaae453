// The DNS client behind `soket dns`: queries over UDP from a random source port with a random
// ID, retried on timeout, repeated over TCP when the reply is truncated (TC=1).
//
// Spoofing defence: a datagram counts only if it comes from the server's address and port
// and carries our ID and our question; anything else is ignored and the wait goes on.
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

struct DnsOptions {
  Duration timeout = std::chrono::seconds(5);  // Per try.
  int tries = 3;
  bool tcp = false;  // TCP from the start.
  bool recurse = true;
};

struct DnsQuery {
  std::string name;  // ASCII; see to_ascii_name().
  std::uint16_t qtype = proto::dns::type::a;
};

struct DnsResponse {
  proto::dns::Message message;
  net::Transport transport = net::Transport::udp;
  Duration elapsed{};
  std::size_t size = 0;           // Bytes of the reply.
  bool retried_over_tcp = false;  // The UDP reply was truncated.
};

// Errors: std::errc::timed_out, socket errors, and proto::dns::errc for a malformed reply
// (or for a name that cannot be encoded).
Result<DnsResponse> query_dns(const net::Address& server, const DnsQuery& query,
                              const DnsOptions& options);
// Many queries, `concurrency` in flight at once, each with its own timeout and retries.
// Results come in the order of `queries`.
std::vector<Result<DnsResponse>> query_dns_many(const net::Address& server,
                                                const std::vector<DnsQuery>& queries,
                                                const DnsOptions& options, int concurrency);

// An internationalised name to its ASCII form (IDNA 2008, with libidn2); ASCII as it is.
Result<std::string> to_ascii_name(std::string_view name);
// The first nameserver of /etc/resolv.conf, if there is one.
std::optional<std::string> system_nameserver();

}  // namespace soket::clients
