// A member of the demo's chat stops: its name and its connection to the room, and how long
// the tour waits for any one line.
#pragma once

#include <chrono>
#include <string>

#include "clients/chat_connection.h"

namespace soket::cli::demo {

inline constexpr auto kChatWait = std::chrono::seconds(5);

struct ChatMember {
  std::string name;
  clients::ChatConnection connection;
};

}  // namespace soket::cli::demo
