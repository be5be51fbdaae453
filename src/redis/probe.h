// A blocking check that Redis answers, for a server to make before it says `listening on`.
#pragma once

#include <optional>
#include <string>

#include "core/clock.h"

namespace soket::redis {

// Connects to a numeric `host`, chooses `database` and sends PING, all within `timeout`.
// nullopt when Redis answered; else why not, in lower case ("connection refused").
std::optional<std::string> probe(const std::string& host, std::uint16_t port, int database,
                                 Duration timeout);

}  // namespace soket::redis
