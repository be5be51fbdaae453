#include "cli/client_session.h"

#include <fmt/core.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "cli/option_checks.h"
#include "cli/server_flags.h"

namespace soket::cli {
namespace {

void print_line(std::string_view bytes) {
  std::fwrite(bytes.data(), 1, bytes.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

}  // namespace

std::string describe_target(std::string_view host, std::uint16_t port, net::Transport transport) {
  const bool bracket = host.find(':') != std::string_view::npos;
  const auto protocol = transport == net::Transport::tcp ? "tcp" : "udp";
  return bracket ? fmt::format("[{}]:{} ({})", host, port, protocol)
                 : fmt::format("{}:{} ({})", host, port, protocol);
}

void add_client_flags(CLI::App& command, ClientFlags& flags) {
  command.add_option("HOST_PORT", flags.where, "Host and port of the server, as nc takes them")
      ->expected(0, 2)
      ->type_name("HOST PORT");
  command.add_option("-p,--port", flags.port, "Port of the server");
  command.add_option("-H,--host", flags.host, "Host name or address of the server")
      ->capture_default_str();
  command.add_flag("--udp", flags.udp, "Use UDP: one datagram per message");
  command
      .add_option("-m,--message", flags.messages,
                  "A message to send (repeatable); without -m, lines from stdin")
      ->allow_extra_args(false);
  command.add_option("--timeout", flags.timeout, "Seconds to wait for a connection or reply")
      ->check(seconds_between(0.001, 86400))
      ->capture_default_str();
}

namespace {

// The positional HOST PORT and the -H/-p spellings: either, or both when they agree.
std::optional<Failure> resolve_where(const ClientFlags& flags, std::string& host,
                                     std::string& port) {
  host = flags.host;
  port = flags.port;
  if (flags.where.empty()) {
    if (port.empty()) return usage_failure("missing the port: give HOST PORT, or -p PORT");
    return std::nullopt;
  }
  if (flags.where.size() == 1 && port.empty()) {
    return usage_failure(fmt::format("missing the port after {}: give HOST PORT", flags.where[0]));
  }
  if (flags.where.size() == 2) {
    if (!port.empty() && port != flags.where[1]) {
      return usage_failure(
          fmt::format("two ports given ({} and -p {}); give one", flags.where[1], port));
    }
    port = flags.where[1];
  }
  host = flags.where[0];
  return std::nullopt;
}

}  // namespace

int run_client_session(const ClientFlags& flags, const Connect& connect) {
  std::string host, port_text;
  if (auto failure = resolve_where(flags, host, port_text)) return report(*failure);
  std::uint16_t port = 0;
  if (auto failure = parse_port_flag(port_text, port)) return report(*failure);
  const auto transport = flags.udp ? net::Transport::udp : net::Transport::tcp;
  const Duration timeout = from_seconds(flags.timeout);
  const auto target = describe_target(host, port, transport);
  auto exchange = connect(host, port, transport, timeout);
  if (!exchange) return report(client_failure(exchange.error(), target, timeout));

  bool all_as_expected = true;
  auto send_one = [&](const std::string& message) -> int {
    auto reply = (*exchange)(message);
    if (!reply) return report(client_failure(reply.error(), target, timeout));
    print_line(reply->text);
    if (reply->stop) return report(*reply->stop);
    all_as_expected = all_as_expected && reply->as_expected;
    return -1;
  };
  if (!flags.messages.empty()) {
    for (const auto& message : flags.messages) {
      if (const int code = send_one(message); code >= 0) return code;
    }
    return all_as_expected ? kExitOk : kExitFailure;
  }
  // Seed 000's interactive client: a line in, its reply out, on one connection until EOF.
  const bool interactive = ::isatty(STDIN_FILENO) != 0;
  std::string line;
  for (;;) {
    if (interactive) {
      std::fputs("> ", stdout);
      std::fflush(stdout);
    }
    if (!std::getline(std::cin, line)) break;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (const int code = send_one(line); code >= 0) return code;
  }
  return all_as_expected ? kExitOk : kExitFailure;
}

}  // namespace soket::cli
