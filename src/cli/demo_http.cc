// The demo's HTTP stop (seed 002, part D): resolve a name with soket's own DNS client, then
// fetch the page with a request written by hand, from servers the demo starts itself.
#include <fmt/core.h>

#include <memory>

#include "cli/demo_tour.h"
#include "cli/failure.h"
#include "clients/http_client.h"
#include "services/background_server.h"
#include "services/dns_zone_service.h"
#include "services/http_page_service.h"

namespace soket::cli::demo {
namespace {

class Collect final : public clients::BodySink {
 public:
  Result<void> write(std::string_view bytes) override {
    body.append(bytes);
    return {};
  }
  std::string body;
};

}  // namespace

int http_stop(int number) {
  heading(number, "HTTP fetch (seed 002, part D)",
          "resolve with our own DNS client, then GET / HTTP/1.1 and read the framed body");
  services::ServerConfig web_config;
  static const std::string kPage = "<h1>Halo dari soket!</h1>\n";
  services::BackgroundServer web(web_config, [](reactor::EventLoop&) {
    return std::make_unique<services::HttpPageService>(kPage);
  });
  if (auto failure = web.start()) return report(bind_failure(failure->error, failure->where));
  services::ServerConfig dns_config;
  dns_config.tcp = false;
  dns_config.udp = true;
  services::BackgroundServer dns(dns_config, [](reactor::EventLoop&) {
    return std::make_unique<services::DnsZoneService>(std::vector<proto::dns::AnswerRecord>{
        {"www.soket.demo.",
         proto::dns::type::a,
         60,
         {std::byte{127}, std::byte{0}, std::byte{0}, std::byte{1}}}});
  });
  if (auto failure = dns.start()) return report(bind_failure(failure->error, failure->where));
  const auto web_port = web.endpoints().front().address.port();
  const auto& dns_endpoint = dns.endpoints().front();
  say(fmt::format("web server: {}; DNS for www.soket.demo: {}",
                  services::describe(web.endpoints().front()), services::describe(dns_endpoint)));
  const std::string url = fmt::format("http://www.soket.demo:{}/", web_port);
  say(fmt::format("$ soket http {} --dns-server 127.0.0.1:{} -v", url,
                  dns_endpoint.address.port()));
  clients::HttpOptions options;
  options.dns_server = dns_endpoint.address;
  options.connect_timeout = options.timeout = std::chrono::seconds(5);
  options.trace = [](std::string_view line) { say(line); };
  Collect body;
  auto response = clients::fetch(*proto::http::parse_url(url), options, body);
  if (!response) return report(client_failure(response.error(), url, options.timeout));
  // The stop checks its own answer: a wrong status or body fails the demo.
  if (response->status != 200 || body.body != kPage) {
    return report(
        {kExitFailure, fmt::format("the demo's HTTP fetch answered {} with a {}-byte body, not 200 "
                                   "with the {}-byte page",
                                   response->status, body.body.size(), kPage.size())});
  }
  say(fmt::format("body ({} bytes): {}", response->body_bytes,
                  body.body.substr(0, body.body.find('\n'))));
  web.stop();
  server_stopped(dns.stop());
  return kExitOk;
}

}  // namespace soket::cli::demo
