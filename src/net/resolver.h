// Name resolution through getaddrinfo(3): the system's resolver, /etc/hosts included, except
// for "localhost" and names under it, which are always 127.0.0.1 then ::1 (RFC 6761 §6.3).
// Errors are std::error_codes of resolver_category() (EAI_* values), except EAI_SYSTEM,
// which becomes the errno it stands for.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "core/result.h"
#include "net/address.h"

namespace soket::net {

enum class Transport { tcp, udp };

const std::error_category& resolver_category();

// True for the codes that mean "this name has no address" (as opposed to a bad request).
bool is_host_not_found(const std::error_code& error);

// For clients: every address of host, in the order the resolver prefers.
Result<std::vector<Address>> resolve(std::string_view host, std::uint16_t port,
                                     Transport transport);

// For servers: a numeric host is taken as it is; a name is resolved with AI_PASSIVE.
Result<std::vector<Address>> resolve_bind(std::string_view host, std::uint16_t port,
                                          Transport transport);

// resolv.conf(5) as glibc reads it: `nameserver ADDRESS` lines, the first kMaxNameservers
// kept (glibc's MAXNS), and `options timeout:N attempts:N` (the last one written wins),
// capped as glibc caps them (30 s, 5 attempts; at least 1 of each). '#' and ';' start comments.
// Anything else (search, domain, other options) is ignored, as it is for a DNS client.
struct ResolvConf {
  static constexpr std::size_t kMaxNameservers = 3;
  std::vector<std::string> nameservers;
  std::optional<int> timeout_seconds, attempts;  // When the file sets them.
};
ResolvConf parse_resolv_conf(std::string_view text);
// The file at `path`, or nullopt when it cannot be read.
std::optional<ResolvConf> read_resolv_conf(const std::string& path);

}  // namespace soket::net
