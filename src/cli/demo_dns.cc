// The demo's DNS stop (seed 002, part D): a query written by hand, to a small responder of
// our own on loopback (the machine may have no other DNS).
#include <fmt/core.h>

#include <memory>

#include "cli/demo_tour.h"
#include "cli/dns_output.h"
#include "cli/failure.h"
#include "clients/dns_client.h"
#include "services/background_server.h"
#include "services/dns_zone_service.h"

namespace soket::cli::demo {

int dns_stop(int number) {
  heading(number, "DNS lookup (seed 002, part D)",
          "the query and the reply's wire format, written and read by hand");
  std::vector<proto::dns::AnswerRecord> zone = {
      {"example.soket.",
       proto::dns::type::a,
       300,
       {std::byte{192}, std::byte{0}, std::byte{2}, std::byte{10}}},
      {"example.soket.",
       proto::dns::type::txt,
       300,
       {std::byte{5}, std::byte{'h'}, std::byte{'a'}, std::byte{'l'}, std::byte{'o'},
        std::byte{'!'}}},
  };
  services::ServerConfig config;
  config.tcp = false;
  config.udp = true;
  services::BackgroundServer server(config, [zone](reactor::EventLoop&) {
    return std::make_unique<services::DnsZoneService>(zone);
  });
  if (auto failure = server.start()) return report(bind_failure(failure->error, failure->where));
  const auto& endpoint = server.endpoints().front();
  say(fmt::format("a responder for example.soket. is {}", services::describe(endpoint)));
  for (const auto qtype : {proto::dns::type::a, proto::dns::type::txt}) {
    say(fmt::format("$ soket dns example.soket {} @127.0.0.1 -p {} --short",
                    proto::dns::type_name(qtype), endpoint.address.port()));
    auto response = clients::query_dns(endpoint.address, {"example.soket.", qtype},
                                       clients::DnsOptions{std::chrono::seconds(2), 2});
    if (!response) {
      return report(
          client_failure(response.error(), services::describe(endpoint), std::chrono::seconds(2)));
    }
    for (const auto& record : response->message.answers) say(record.data);
  }
  server_stopped(server.stop());
  return kExitOk;
}

}  // namespace soket::cli::demo
