// What `soket connect` and `soket listen` share: unix:/path targets, -4/-6, and the words and
// exit code for how a relay ended.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/failure.h"
#include "clients/byte_relay.h"
#include "net/address.h"

namespace soket::cli {

// The path of a `unix:/path` target, or nullopt for a host name or address.
std::optional<std::string> unix_path(std::string_view target);

// -4 and -6: AF_INET, AF_INET6, or AF_UNSPEC for either.
int family_of(bool ipv4, bool ipv6);
std::vector<net::Address> keep_family(std::vector<net::Address> addresses, int family);
std::string_view family_name(int family);

// Seconds as the user gave them, for messages: "3 s", "0.5 s".
std::string seconds_words(Duration duration);

// The exit code of a relay's end, after one line on stderr when it failed. `peer` names the
// other end ("127.0.0.1:8080 (tcp)"); `peer_is_server` picks the words for a reset.
int finish_relay(const clients::RelayOutcome& outcome, std::string_view peer, bool peer_is_server);

}  // namespace soket::cli
