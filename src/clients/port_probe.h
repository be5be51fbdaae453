// Port probing for `soket connect -z` (nc -z): whether something answers on a port, without
// sending it any data.
#pragma once

#include <optional>
#include <system_error>
#include <vector>

#include "core/clock.h"
#include "net/address.h"
#include "net/resolver.h"

namespace soket::clients {

// TCP: an empty error when a connection to one of `addresses` succeeds (it is closed at once),
// else the error of the last address tried (refused, timed out, unreachable...).
// UDP: one empty datagram is sent; an ICMP port unreachable within the deadline gives
// ECONNREFUSED, and silence counts as open, as nc -zu reports it (UDP cannot tell open from
// filtered).
std::error_code probe_port(const std::vector<net::Address>& addresses, net::Transport transport,
                           TimePoint deadline, const std::optional<net::Address>& source);

}  // namespace soket::clients
