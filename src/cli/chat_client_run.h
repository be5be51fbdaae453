// soket chat client: log in (password, then name), then a full-duplex session: lines typed
// go to the room while the room's lines appear above the one being typed.
#pragma once

#include <optional>
#include <string>

namespace soket::cli {

struct ChatClientFlags {
  std::string port;
  std::string host = "localhost";
  bool udp = false;
  std::optional<std::string> name;
  double timeout = 10;
};

int run_chat_client(const ChatClientFlags& flags);

}  // namespace soket::cli
