// The flags every soket server shares (echo, transform, chat), and running a server until
// SIGINT or SIGTERM: the `listening on` lines, then the summary line.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

#include "cli/failure.h"
#include "services/server.h"

namespace soket::cli {

struct ServerFlags {
  std::string port;
  std::string host = "127.0.0.1";
  bool udp = false;
  bool tcp = false;
  int threads = 0;  // Zero: one per CPU.
  int backlog = 511;
  std::size_t max_connections = 0;
  double idle_timeout = 0;
  double handshake_timeout = 10;  // Zero: never.
  std::size_t max_output = 4 * 1024 * 1024;
  bool reuse_port = false;
  bool no_delay = false;
  bool keep_alive = false;
  std::optional<int> linger;
  std::optional<int> receive_buffer;
  std::optional<int> send_buffer;
  bool quiet = false;
  bool verbose = false;
  std::string backend = "auto";
};

// `transports_both` is for services that serve TCP and UDP at once unless told --tcp/--udp.
// `idle_timeout` false leaves --idle-timeout to the service (chat gives it another meaning).
void add_server_flags(CLI::App& command, ServerFlags& flags, bool transports_both,
                      bool idle_timeout = true);
// Fills `config` from the flags, or says which one is wrong.
std::optional<Failure> to_server_config(const ServerFlags& flags, bool transports_both,
                                        services::ServerConfig& config);
// Parses a -p value: exit 3 for a number outside 0..65535, usage (2) for anything else.
std::optional<Failure> parse_port_flag(const std::string& text, std::uint16_t& port);

// Raises the soft RLIMIT_NOFILE to the hard limit (servers and load generators hold many fds).
void raise_open_file_limit();

// What a service must have before it says `listening on` (the chat room's Redis): run once the
// sockets are bound, so it may use their port; a failure ends the server before it serves.
using BeforeListening = std::function<std::optional<Failure>(const services::Server& server)>;

// Binds, prints one `listening on ...` line per socket (flushed: scripts wait for it),
// serves until SIGINT/SIGTERM, prints the summary line and returns the exit code.
int serve(services::ServerConfig config, services::ServiceFactory factory,
          const BeforeListening& before_listening = {});

}  // namespace soket::cli
