// `soket chat server --redis URL --room NAME --history N --server-name LABEL`: from the flags
// to the room's FederationConfig, and the check that Redis answers before the server says
// `listening on` (one line and exit 18 if it does not).
#pragma once

#include <optional>
#include <string>

#include "cli/failure.h"
#include "services/chat_federation.h"
#include "services/server.h"

namespace soket::cli {

struct ChatRedisFlags {
  std::string url;  // Empty: no Redis, one server alone.
  std::string room = "lobby";
  std::size_t history = 0;
  std::string server_name;  // Empty: "<hostname>:<port>".
  double name_expiry = 30;  // Seconds a dead server's names outlive it (renewed every third).
};

// Checks the flags that need no network (exit 2 for a bad URL or room name).
std::optional<Failure> check_redis_flags(const ChatRedisFlags& flags);

// Resolves Redis's host and checks that it answers; fills `config` (its label names this
// server by `server`'s first port unless --server-name says otherwise).
std::optional<Failure> connect_redis(const ChatRedisFlags& flags, const services::Server& server,
                                     services::FederationConfig& config);

}  // namespace soket::cli
