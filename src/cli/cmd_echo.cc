// soket echo server | client (seed 000, with the options of seed 001).
#include <memory>

#include "cli/commands.h"
#include "cli/echo_client_run.h"
#include "cli/server_flags.h"
#include "services/echo_service.h"

namespace soket::cli {
namespace {

void add_server(CLI::App& echo, Action& action) {
  auto* command = echo.add_subcommand("server", "Echo every byte back, over TCP or UDP");
  auto flags = std::make_shared<ServerFlags>();
  add_server_flags(*command, *flags, /*transports_both=*/false);
  command->callback([flags, &action] {
    action = [flags] {
      services::ServerConfig config;
      if (auto failure = to_server_config(*flags, false, config)) return report(*failure);
      return serve(std::move(config),
                   [](reactor::EventLoop&) { return std::make_unique<services::EchoService>(); });
    };
  });
}

void add_client(CLI::App& echo, Action& action) {
  auto* command = echo.add_subcommand("client", "Send messages and check that they come back");
  auto flags = std::make_shared<EchoClientFlags>();
  command->add_option("-p,--port", flags->port, "Port of the server")->required();
  command->add_option("-H,--host", flags->host, "Host name or address of the server")
      ->capture_default_str();
  command->add_flag("--udp", flags->udp, "Use UDP: one datagram per message");
  command
      ->add_option("-m,--message", flags->messages,
                   "A message to send (repeatable); without -m, lines from stdin")
      ->allow_extra_args(false);
  command->add_option("--timeout", flags->timeout, "Seconds to wait for a connection or reply")
      ->check(CLI::Range(0.001, 1e6))
      ->capture_default_str();
  command->callback([flags, &action] { action = [flags] { return run_echo_client(*flags); }; });
}

}  // namespace

void add_echo_command(CLI::App& app, Action& action) {
  auto* echo = app.add_subcommand("echo", "TCP/UDP echo server and client");
  echo->require_subcommand(1);
  add_server(*echo, action);
  add_client(*echo, action);
}

}  // namespace soket::cli
