// Name resolution through getaddrinfo(3): the system's resolver, /etc/hosts included, except
// for "localhost" and names under it, which are always 127.0.0.1 then ::1 (RFC 6761 §6.3).
// Errors are std::error_codes of resolver_category() (EAI_* values), except EAI_SYSTEM,
// which becomes the errno it stands for.
#pragma once

#include <cstdint>
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

}  // namespace soket::net
