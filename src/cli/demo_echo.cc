// The demo's echo stops: TCP and UDP (seed 000).
#include <fmt/core.h>

#include <memory>
#include <string>
#include <vector>

#include "cli/demo_tour.h"
#include "cli/failure.h"
#include "clients/echo_client.h"
#include "services/background_server.h"
#include "services/echo_service.h"

namespace soket::cli::demo {
namespace {

int run_echo_stop(int number, net::Transport transport) {
  const bool tcp = transport == net::Transport::tcp;
  heading(number, tcp ? "TCP echo (seed 000)" : "UDP echo (seed 001)",
          tcp ? "every byte comes back, however TCP splits it on the way"
              : "one datagram in, the same datagram back to its sender");
  services::ServerConfig config;
  config.tcp = tcp;
  config.udp = !tcp;
  services::BackgroundServer server(
      config, [](reactor::EventLoop&) { return std::make_unique<services::EchoService>(); });
  if (auto failure = server.start()) return report(bind_failure(failure->error, failure->where));
  const auto& endpoint = server.endpoints().front();
  const auto flag = tcp ? "" : " --udp";
  say(fmt::format("$ soket echo server -p 0{}", flag));
  say(fmt::format("listening on {}", services::describe(endpoint)));

  const std::vector<std::string> messages = {"Hello, soket!", "Selamat pagi, dunia"};
  say(fmt::format("$ soket echo client -H 127.0.0.1 -p {}{} -m '{}' -m '{}'",
                  endpoint.address.port(), flag, messages[0], messages[1]));
  clients::ClientTarget client_config{"127.0.0.1", endpoint.address.port(), transport,
                                      std::chrono::seconds(5)};
  auto client = clients::EchoClient::connect(client_config);
  if (!client) {
    return report(
        client_failure(client.error(), services::describe(endpoint), client_config.timeout));
  }
  for (const auto& message : messages) {
    auto reply = client->exchange(message);
    if (!reply) {
      return report(
          client_failure(reply.error(), services::describe(endpoint), client_config.timeout));
    }
    const bool same = reply->complete && reply->bytes == message;
    say(fmt::format("sent {:2} bytes \"{}\" -> echoed {:2} bytes \"{}\"  {}", message.size(),
                    message, reply->bytes.size(), reply->bytes, same ? "ok" : "DIFFERENT"));
    if (!same) return kExitFailure;
  }
  server_stopped(server.stop());
  return kExitOk;
}

}  // namespace

int echo_tcp_stop(int number) {
  return run_echo_stop(number, net::Transport::tcp);
}
int echo_udp_stop(int number) {
  return run_echo_stop(number, net::Transport::udp);
}

}  // namespace soket::cli::demo
