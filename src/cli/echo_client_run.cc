#include "cli/echo_client_run.h"

#include <fmt/core.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "cli/server_flags.h"
#include "clients/echo_client.h"
#include "core/log.h"

namespace soket::cli {
namespace {

void print_line(std::string_view bytes) {
  std::fwrite(bytes.data(), 1, bytes.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

// Sends one message and prints its echo. Returns an exit code, or -1 to go on.
int exchange_one(clients::EchoClient& client, const std::string& message, const std::string& target,
                 Duration timeout, bool& all_matched) {
  auto reply = client.exchange(message);
  if (!reply) return report(client_failure(reply.error(), target, timeout));
  print_line(reply->bytes);
  if (!reply->complete) {
    return report(
        {kExitNetworkError, fmt::format("{} closed the connection after echoing {} of {} bytes",
                                        target, reply->bytes.size(), message.size())});
  }
  if (reply->bytes != message) {
    log::warn("soket: the echo from {} differs from what was sent ({} bytes)", target,
              message.size());
    all_matched = false;
  }
  return -1;
}

}  // namespace

std::string describe_target(std::string_view host, std::uint16_t port, net::Transport transport) {
  const bool bracket = host.find(':') != std::string_view::npos;
  const auto protocol = transport == net::Transport::tcp ? "tcp" : "udp";
  return bracket ? fmt::format("[{}]:{} ({})", host, port, protocol)
                 : fmt::format("{}:{} ({})", host, port, protocol);
}

int run_echo_client(const EchoClientFlags& flags) {
  clients::EchoClientConfig config;
  if (auto failure = parse_port_flag(flags.port, config.port)) return report(*failure);
  config.host = flags.host;
  config.transport = flags.udp ? net::Transport::udp : net::Transport::tcp;
  config.timeout = from_seconds(flags.timeout);
  const auto target = describe_target(config.host, config.port, config.transport);

  auto client = clients::EchoClient::connect(config);
  if (!client) return report(client_failure(client.error(), target, config.timeout));

  bool all_matched = true;
  if (!flags.messages.empty()) {
    for (const auto& message : flags.messages) {
      if (int code = exchange_one(*client, message, target, config.timeout, all_matched);
          code >= 0) {
        return code;
      }
    }
    return all_matched ? kExitOk : kExitFailure;
  }
  // Seed 000's interactive client: a line in, its echo out, on one connection until EOF.
  const bool interactive = ::isatty(STDIN_FILENO) != 0;
  std::string line;
  for (;;) {
    if (interactive) {
      std::fputs("> ", stdout);
      std::fflush(stdout);
    }
    if (!std::getline(std::cin, line)) break;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (int code = exchange_one(*client, line, target, config.timeout, all_matched); code >= 0) {
      return code;
    }
  }
  return all_matched ? kExitOk : kExitFailure;
}

}  // namespace soket::cli
