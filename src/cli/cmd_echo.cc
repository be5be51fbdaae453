// soket echo server | client (seed 000, with the options of seed 001).
#include <fmt/core.h>

#include <memory>

#include "cli/client_session.h"
#include "cli/commands.h"
#include "cli/option_checks.h"
#include "cli/server_flags.h"
#include "clients/echo_client.h"
#include "core/log.h"
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

// An echo is as expected when it is the message, byte for byte; a TCP server that closes
// before the whole echo is back ends the session.
Result<Exchange> connect_echo(const std::string& host, std::uint16_t port, net::Transport transport,
                              Duration timeout) {
  auto client = clients::EchoClient::connect({host, port, transport, timeout});
  if (!client) return client.error();
  auto shared = std::make_shared<clients::EchoClient>(std::move(client).value());
  const auto target = describe_target(host, port, transport);
  return Exchange([shared, target](const std::string& message) -> Result<Reply> {
    auto echo = shared->exchange(message);
    if (!echo) return echo.error();
    Reply reply{echo->bytes, echo->bytes == message, std::nullopt};
    if (!echo->complete) {
      reply.stop = Failure{kExitNetworkError,
                           fmt::format("{} closed the connection after echoing {} of {} bytes",
                                       target, echo->bytes.size(), message.size())};
    } else if (!reply.as_expected) {
      log::warn("soket: the echo from {} differs from what was sent ({} bytes)", target,
                message.size());
    }
    return reply;
  });
}

void add_client(CLI::App& echo, Action& action) {
  auto* command = echo.add_subcommand("client", "Send messages and check that they come back");
  auto flags = std::make_shared<ClientFlags>();
  add_client_flags(*command, *flags);
  command->callback(
      [flags, &action] { action = [flags] { return run_client_session(*flags, connect_echo); }; });
}

}  // namespace

void add_echo_command(CLI::App& app, Action& action) {
  auto* echo = app.add_subcommand("echo", "TCP/UDP echo server and client");
  echo->require_subcommand(1);
  add_server(*echo, action);
  add_client(*echo, action);
}

}  // namespace soket::cli
