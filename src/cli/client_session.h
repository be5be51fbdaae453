// The shared shape of soket's request/reply clients (echo, transform): connect, then send
// each -m message, or each stdin line, and print each reply on its own line.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

#include "cli/failure.h"
#include "core/result.h"
#include "net/resolver.h"

namespace soket::cli {

struct ClientFlags {
  std::string port;
  std::string host = "localhost";
  std::vector<std::string> where;  // Positional HOST PORT, as nc takes them.
  bool udp = false;
  std::vector<std::string> messages;
  double timeout = 10;
};

void add_client_flags(CLI::App& command, ClientFlags& flags);

// What one message brought back: the reply to print, and whether it is what was expected.
struct Reply {
  std::string text;
  bool as_expected = true;
  std::optional<Failure> stop;  // Set when the session cannot go on (server closed early).
};
using Exchange = std::function<Result<Reply>(const std::string& message)>;
using Connect = std::function<Result<Exchange>(const std::string& host, std::uint16_t port,
                                               net::Transport transport, Duration timeout)>;

// Exit 0 when every reply was as expected, 1 when one was not, or the failure's code.
int run_client_session(const ClientFlags& flags, const Connect& connect);

}  // namespace soket::cli
