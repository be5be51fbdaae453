// The demo's HTTP stops. Seed 002, part D: resolve a name with soket's own DNS client, then
// fetch the page with a request written by hand, from servers the demo starts itself. Seed
// 004 in a browser: the chat server's port also serves the room's page, fetched and checked
// the same way; on a terminal the room stays open a while for a person to try it.
#include <fmt/core.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>

#include "cli/demo_tour.h"
#include "cli/failure.h"
#include "clients/http_client.h"
#include "services/background_server.h"
#include "services/chat_service.h"
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

constexpr auto kTryItFor = std::chrono::seconds(60);

bool on_a_terminal() {
  return ::isatty(STDIN_FILENO) == 1 && ::isatty(STDOUT_FILENO) == 1;
}

// Until Enter (or the end of input), at most kTryItFor: the demo never waits without bound.
void wait_for_enter() {
  pollfd keyboard{STDIN_FILENO, POLLIN, 0};
  if (::poll(&keyboard, 1, static_cast<int>(kTryItFor / std::chrono::milliseconds(1))) > 0) {
    char line[256];
    (void)::read(STDIN_FILENO, line, sizeof line);
  }
}

bool has_header(const clients::HttpResponse& response, std::string_view name) {
  return std::any_of(response.headers.begin(), response.headers.end(),
                     [&](const auto& header) { return header.first == name; });
}

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

int web_stop(int number) {
  heading(number, "Chat in the browser (seed 004)",
          "the chat port also serves the room's page, and WebSocket (RFC 6455) at /ws");
  services::ServerConfig config;  // TCP: the page, the WebSocket and the line protocol.
  services::ChatConfig chat;
  chat.password = "demo";
  services::BackgroundServer server(config, [chat](reactor::EventLoop& loop) {
    return std::make_unique<services::ChatService>(loop, chat);
  });
  if (auto failure = server.start()) return report(bind_failure(failure->error, failure->where));
  say("$ SOKET_CHAT_PASSWORD=demo soket chat server -p 0 --tcp");
  say("listening on " + services::describe(server.endpoints().front()));
  const std::string url =
      fmt::format("http://127.0.0.1:{}/", server.endpoints().front().address.port());
  say(fmt::format("$ soket http {} -v -o page.html", url));
  clients::HttpOptions options;
  options.connect_timeout = options.timeout = std::chrono::seconds(5);
  options.trace = [](std::string_view line) { say(line); };
  Collect page;
  auto response = clients::fetch(*proto::http::parse_url(url), options, page);
  if (!response) return report(client_failure(response.error(), url, options.timeout));
  // What a browser needs: the page whole, with the policy that lets only its own code run.
  if (response->status != 200 || page.body.find("id=\"join-form\"") == std::string::npos ||
      !has_header(*response, "Content-Security-Policy")) {
    return report({kExitFailure, fmt::format("the chat server answered {} with a {}-byte page "
                                             "that is not the room's",
                                             response->status, page.body.size())});
  }
  say(fmt::format("page: {} bytes, HTML with its CSS and JavaScript inline, nothing from elsewhere",
                  page.body.size()));
  say(fmt::format("open {} in a browser, password: demo", url));
  if (on_a_terminal()) {
    say(fmt::format("the room stays open for you: press Enter to go on (or wait {} s)",
                    kTryItFor.count()));
    wait_for_enter();
  }
  server_stopped(server.stop());
  return kExitOk;
}

}  // namespace soket::cli::demo
