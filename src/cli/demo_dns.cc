// The demo's DNS stop (seed 002, part D): a query written by hand, to a small responder of
// our own on loopback (the machine may have no other DNS).
#include <fmt/core.h>

#include <fmt/ranges.h>

#include <memory>

#include "cli/demo_dns.h"
#include "cli/demo_tour.h"
#include "cli/dns_output.h"
#include "cli/failure.h"
#include "clients/dns_client.h"
#include "services/background_server.h"
#include "services/dns_zone_service.h"

namespace soket::cli::demo {

std::optional<std::string> dns_answer_mismatch(const proto::dns::Message& reply,
                                               const std::vector<std::string>& expected) {
  if (reply.header.rcode != 0) {
    return fmt::format("status {}, not NOERROR", proto::dns::rcode_name(reply.header.rcode));
  }
  std::vector<std::string> got;
  for (const auto& record : reply.answers) got.push_back(record.data);
  if (got != expected) {
    return fmt::format("answers [{}], not [{}]", fmt::join(got, ", "), fmt::join(expected, ", "));
  }
  return std::nullopt;
}

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
  const std::pair<std::uint16_t, std::string> asks[] = {{proto::dns::type::a, "192.0.2.10"},
                                                        {proto::dns::type::txt, "\"halo!\""}};
  for (const auto& [qtype, expected] : asks) {
    say(fmt::format("$ soket dns example.soket {} @127.0.0.1 -p {} --short",
                    proto::dns::type_name(qtype), endpoint.address.port()));
    auto response = clients::query_dns(endpoint.address, {"example.soket.", qtype},
                                       clients::DnsOptions{std::chrono::seconds(2), 2});
    if (!response) {
      return report(
          client_failure(response.error(), services::describe(endpoint), std::chrono::seconds(2)));
    }
    for (const auto& record : response->message.answers) say(record.data);
    if (auto wrong = dns_answer_mismatch(response->message, {expected})) {
      say(fmt::format("DIFFERENT: {}", *wrong));
      return report({kExitFailure, fmt::format("the demo's DNS stop got a wrong answer for {}: {}",
                                               proto::dns::type_name(qtype), *wrong)});
    }
  }
  server_stopped(server.stop());
  return kExitOk;
}

}  // namespace soket::cli::demo
