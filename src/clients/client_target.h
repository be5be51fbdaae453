// ClientTarget: where a request/reply client connects, and how long it waits for each step
// (the connection, then each reply).
#pragma once

#include <cstdint>
#include <string>

#include "core/clock.h"
#include "net/resolver.h"

namespace soket::clients {

struct ClientTarget {
  std::string host = "localhost";
  std::uint16_t port = 0;
  net::Transport transport = net::Transport::tcp;
  Duration timeout = std::chrono::seconds(10);
};

}  // namespace soket::clients
