// soket transform server | client (seed 002, parts B and C).
#include <fmt/core.h>

#include <memory>

#include "cli/client_session.h"
#include "cli/commands.h"
#include "cli/server_flags.h"
#include "clients/line_client.h"
#include "services/transform_service.h"

namespace soket::cli {
namespace {

void add_server(CLI::App& transform, Action& action) {
  auto* command = transform.add_subcommand(
      "server", "Invert case, count, strip, timestamp and confirm every line (TCP and UDP)");
  auto flags = std::make_shared<ServerFlags>();
  add_server_flags(*command, *flags, /*transports_both=*/true);
  command->callback([flags, &action] {
    action = [flags] {
      services::ServerConfig config;
      if (auto failure = to_server_config(*flags, true, config)) return report(*failure);
      return serve(std::move(config), [](reactor::EventLoop&) {
        return std::make_unique<services::TransformService>();
      });
    };
  });
}

Result<Exchange> connect_transform(const std::string& host, std::uint16_t port,
                                   net::Transport transport, Duration timeout) {
  clients::ClientTarget config;
  config.host = host;
  config.port = port;
  config.transport = transport;
  config.timeout = timeout;
  auto client = clients::LineClient::connect(config);
  if (!client) return client.error();
  auto shared = std::make_shared<clients::LineClient>(std::move(client).value());
  const auto target = describe_target(host, port, transport);
  return Exchange([shared, target, transport](const std::string& message) -> Result<Reply> {
    if (transport == net::Transport::tcp && message.find('\n') != std::string::npos) {
      return Reply{"", false,
                   usage_failure("a TCP message is one line: it cannot hold a line feed")};
    }
    auto line = shared->request(message);
    if (line) return Reply{*line, line->rfind("ERROR ", 0) != 0, std::nullopt};
    if (line.error() == std::errc::connection_aborted) {
      return Reply{"", false,
                   Failure{kExitNetworkError,
                           fmt::format("{} closed the connection before it replied", target)}};
    }
    return line.error();
  });
}

void add_client(CLI::App& transform, Action& action) {
  auto* command =
      transform.add_subcommand("client", "Send lines to a transform server and print replies");
  auto flags = std::make_shared<ClientFlags>();
  add_client_flags(*command, *flags);
  command->callback([flags, &action] {
    action = [flags] { return run_client_session(*flags, connect_transform); };
  });
}

}  // namespace

void add_transform_command(CLI::App& app, Action& action) {
  auto* transform = app.add_subcommand("transform", "The text-transform service of seed 002");
  transform->require_subcommand(1);
  add_server(*transform, action);
  add_client(*transform, action);
}

}  // namespace soket::cli
