// The demo's transform stop (seed 002, parts B and C): the same server on TCP and UDP.
#include <fmt/core.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cli/demo_tour.h"
#include "cli/failure.h"
#include "clients/line_client.h"
#include "services/background_server.h"
#include "services/transform_service.h"

namespace soket::cli::demo {
namespace {

// A message and the start of the reply it must get: the transformed text and its count (the
// time that follows changes, so only the fixed ending is checked after it).
struct Question {
  std::string message;
  std::string reply_starts;
};
constexpr std::string_view kReplyEnds = " | Data telah diproses";

bool answered_right(const Question& question, std::string_view reply) {
  return reply.starts_with(question.reply_starts) && reply.ends_with(kReplyEnds);
}

int ask(const services::Endpoint& endpoint, const std::vector<Question>& questions) {
  const bool tcp = endpoint.transport == net::Transport::tcp;
  clients::ClientTarget config;
  config.host = "127.0.0.1";
  config.port = endpoint.address.port();
  config.transport = endpoint.transport;
  config.timeout = std::chrono::seconds(5);
  std::string command = fmt::format("$ soket transform client -H 127.0.0.1 -p {}{}", config.port,
                                    tcp ? "" : " --udp");
  for (const auto& q : questions) command += fmt::format(" -m '{}'", q.message);
  say(command);
  auto client = clients::LineClient::connect(config);
  if (!client) {
    return report(client_failure(client.error(), services::describe(endpoint), config.timeout));
  }
  for (const auto& question : questions) {
    auto reply = client->request(question.message);
    if (!reply) {
      return report(client_failure(reply.error(), services::describe(endpoint), config.timeout));
    }
    const bool right = answered_right(question, *reply);
    say(fmt::format("\"{}\" -> {}  {}", question.message, *reply, right ? "ok" : "DIFFERENT"));
    if (!right) return kExitFailure;
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
    const std::vector<Question> questions =
        endpoint.transport == net::Transport::tcp
            ? std::vector<Question>{{"Hello World", "hELLO wORLD | 11 karakter | "},
                                    {"  ipin  ", "IPIN | 8 karakter | "},
                                    {"Stra\u00DFe", "sTRASSE | 6 karakter | "}}
            : std::vector<Question>{
                  {"\u00C9COLE \u00E9t\u00E9", "\u00E9cole \u00C9T\u00C9 | 9 karakter | "}};
    if (const int code = ask(endpoint, questions); code != kExitOk) return code;
  }
  server_stopped(server.stop());
  return kExitOk;
}

}  // namespace soket::cli::demo
