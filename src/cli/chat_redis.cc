#include "cli/chat_redis.h"

#include <fmt/core.h>
#include <unistd.h>

#include <climits>

#include "cli/option_checks.h"
#include "net/resolver.h"
#include "proto/chat/federation.h"
#include "proto/chat/room.h"
#include "redis/endpoint.h"
#include "redis/probe.h"

namespace soket::cli {
namespace {

constexpr Duration kProbeTimeout = std::chrono::seconds(5);

std::string default_label(const services::Server& server) {
  char host[HOST_NAME_MAX + 1] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0')
    std::snprintf(host, sizeof host, "soket");
  const auto port = server.endpoints().empty() ? 0 : server.endpoints().front().address.port();
  std::string label = fmt::format("{}:{}", host, port);
  // A label is one word of printable characters (it follows '@' in /who).
  for (char& c : label) {
    if (!std::isgraph(static_cast<unsigned char>(c))) c = '_';
  }
  return label.substr(0, proto::chat::kMaxServerField);
}

}  // namespace

std::optional<Failure> check_redis_flags(const ChatRedisFlags& flags) {
  if (flags.url.empty()) {
    if (flags.room != "lobby" || flags.history != 0 || !flags.server_name.empty() ||
        flags.name_expiry != 30) {
      return usage_failure("--room, --history, --server-name and --name-expiry need --redis URL");
    }
    return std::nullopt;
  }
  std::string why;
  if (!redis::parse_url(flags.url, why)) return usage_failure(fmt::format("--redis: {}", why));
  if (!proto::chat::is_valid_name(flags.room)) {
    return usage_failure(
        "--room must be 1 to 32 letters, digits, '_', '-' or '.' (as a member's name)");
  }
  if (!flags.server_name.empty() && !proto::chat::is_valid_server_id(flags.server_name)) {
    return usage_failure("--server-name must be 1 to 64 letters, digits, '-', '_', '.' or ':'");
  }
  return std::nullopt;
}

std::optional<Failure> connect_redis(const ChatRedisFlags& flags, const services::Server& server,
                                     services::FederationConfig& config) {
  std::string why;
  const auto endpoint = redis::parse_url(flags.url, why);
  if (!endpoint) return usage_failure(fmt::format("--redis: {}", why));
  const auto addresses = net::resolve(endpoint->host, endpoint->port, net::Transport::tcp);
  if (!addresses) {
    return Failure{kExitHostNotFound,
                   fmt::format("cannot find Redis's host '{}': {}; check --redis", endpoint->host,
                               addresses.error().message())};
  }
  std::optional<std::string> failure = "no address";
  for (const auto& address : *addresses) {  // localhost may be ::1 and 127.0.0.1: either.
    failure = redis::probe(address.host(), endpoint->port, endpoint->database, kProbeTimeout);
    if (!failure) {
      config.host = address.host();
      break;
    }
  }
  if (failure) {
    return Failure{kExitRedis,
                   fmt::format("cannot reach Redis at {}: {}", endpoint->to_string(), *failure)};
  }
  config.port = endpoint->port;
  config.database = endpoint->database;
  config.where = endpoint->to_string();
  config.room = flags.room;
  config.history = flags.history;
  config.name_expiry = from_seconds(flags.name_expiry);
  config.renew_every = config.name_expiry / 3;
  config.label = flags.server_name.empty() ? default_label(server) : flags.server_name;
  return std::nullopt;
}

}  // namespace soket::cli
