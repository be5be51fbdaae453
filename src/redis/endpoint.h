// Where a Redis server is: the `--redis redis://HOST:PORT[/DB]` of the chat server.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace soket::redis {

struct Endpoint {
  std::string host;  // A name, an IPv4 address, or an IPv6 one without its brackets.
  std::uint16_t port = 6379;
  int database = 0;
  // "HOST:PORT" ("[::1]:6379"): how messages name it.
  std::string to_string() const;
};

// redis://HOST[:PORT][/DB]: the scheme is required, the port defaults to Redis's 6379 and the
// database to 0. nullopt, with `error` saying what is wrong, for anything else.
std::optional<Endpoint> parse_url(std::string_view url, std::string& error);

}  // namespace soket::redis
