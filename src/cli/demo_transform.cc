// The demo's transform stop (seed 002, parts B and C): the same server on TCP and UDP.
#include <fmt/core.h>

#include <memory>
#include <string>
#include <vector>

#include "cli/demo_tour.h"
#include "cli/failure.h"
#include "clients/line_client.h"
#include "services/background_server.h"
#include "services/transform_service.h"

namespace soket::cli::demo {
namespace {

int ask(const services::Endpoint& endpoint, const std::vector<std::string>& messages) {
  const bool tcp = endpoint.transport == net::Transport::tcp;
  clients::ClientTarget config;
  config.host = "127.0.0.1";
  config.port = endpoint.address.port();
  config.transport = endpoint.transport;
  config.timeout = std::chrono::seconds(5);
  std::string command = fmt::format("$ soket transform client -H 127.0.0.1 -p {}{}", config.port,
                                    tcp ? "" : " --udp");
  for (const auto& m : messages) command += fmt::format(" -m '{}'", m);
  say(command);
  auto client = clients::LineClient::connect(config);
  if (!client) {
    return report(client_failure(client.error(), services::describe(endpoint), config.timeout));
  }
  for (const auto& message : messages) {
    auto reply = client->request(message);
    if (!reply) {
      return report(client_failure(reply.error(), services::describe(endpoint), config.timeout));
    }
    say(fmt::format("\"{}\" -> {}", message, *reply));
  }
  return kExitOk;
}

}  // namespace

int transform_stop(int number) {
  heading(number, "Text transform (seed 002)",
          "invert case, count characters, strip, add the time and a confirmation");
  services::ServerConfig config;
  config.tcp = config.udp = true;
  services::BackgroundServer server(
      config, [](reactor::EventLoop&) { return std::make_unique<services::TransformService>(); });
  if (auto failure = server.start()) return report(bind_failure(failure->error, failure->where));
  say("$ soket transform server -p 0");
  for (const auto& endpoint : server.endpoints()) {
    say(fmt::format("listening on {}", services::describe(endpoint)));
  }
  for (const auto& endpoint : server.endpoints()) {
    const std::vector<std::string> messages =
        endpoint.transport == net::Transport::tcp
            ? std::vector<std::string>{"Hello World", "  ipin  ", "Stra\u00DFe"}
            : std::vector<std::string>{"\u00C9COLE \u00E9t\u00E9"};
    if (const int code = ask(endpoint, messages); code != kExitOk) return code;
  }
  server_stopped(server.stop());
  return kExitOk;
}

}  // namespace soket::cli::demo
