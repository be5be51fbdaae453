// The demo's sockets stop (seed 003): the echo server's listening socket and one connection,
// as the kernel reports them over netlink, like `netstat -tanp`.
#include <fmt/core.h>

#include <memory>

#include "cli/demo_tour.h"
#include "cli/failure.h"
#include "clients/socket_lister.h"
#include "net/deadline_io.h"
#include "services/background_server.h"
#include "services/echo_service.h"

namespace soket::cli::demo {

int sockets_stop(int number) {
  heading(number, "Socket states (seed 003)",
          "the echo server's listening socket and one connection, read from the kernel");
  services::ServerConfig config;
  services::BackgroundServer server(
      config, [](reactor::EventLoop&) { return std::make_unique<services::EchoService>(); });
  if (auto failure = server.start()) return report(bind_failure(failure->error, failure->where));
  const auto& endpoint = server.endpoints().front();
  say(fmt::format("listening on {}", services::describe(endpoint)));
  auto client = net::connect_any({endpoint.address}, net::Transport::tcp,
                                 Clock::now() + std::chrono::seconds(5));
  if (!client) {
    return report(
        client_failure(client.error(), services::describe(endpoint), std::chrono::seconds(5)));
  }
  // Let the server accept it, so that both ends of the connection are ESTAB.
  const std::string ping = "ping";
  std::byte back[4];
  if (!net::write_all(client->fd.get(), as_bytes(ping), Clock::now() + std::chrono::seconds(5)) ||
      !net::read_some(client->fd.get(), back, Clock::now() + std::chrono::seconds(5))) {
    return kExitFailure;
  }
  say(fmt::format("$ soket sockets -t -a -p --port {}", endpoint.address.port()));
  clients::SocketQuery query;
  query.udp = false;
  query.selection = clients::SocketSelection::all;
  query.port = endpoint.address.port();
  query.processes = true;
  auto listing = clients::list_sockets(query);
  if (!listing) {
    return report(
        {kExitFailure, fmt::format("cannot list sockets: {}", listing.error().message())});
  }
  say(fmt::format("{:<11} {:<22} {:<22} {}", "State", "Local", "Peer", "Process"));
  for (const auto& s : listing->sockets) {
    const std::string peer = s.has_peer ? s.peer.to_string() : s.peer.host() + ":*";
    const std::string process =
        s.process ? fmt::format("{}/{}", s.process->pid, s.process->name) : "-";
    say(fmt::format("{:<11} {:<22} {:<22} {}", s.state, s.local.to_string(), peer, process));
  }
  client->fd.reset();
  server_stopped(server.stop());
  return kExitOk;
}

}  // namespace soket::cli::demo
