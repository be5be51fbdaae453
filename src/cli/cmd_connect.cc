// soket connect HOST PORT: nc's plain connection (stdin to the socket, the socket to stdout),
// and soket connect -z HOST PORT[-PORT]: nc -z's port check.
#include <fmt/core.h>
#include <unistd.h>

#include <memory>
#include <optional>

#include "cli/commands.h"
#include "cli/option_checks.h"
#include "cli/plain_socket.h"
#include "cli/server_flags.h"
#include "clients/byte_relay.h"
#include "clients/port_probe.h"
#include "core/log.h"
#include "net/deadline_io.h"
#include "net/unix_socket.h"

namespace soket::cli {
namespace {

struct ConnectFlags {
  std::string host;
  std::string port;
  bool udp = false;
  bool scan = false;
  bool half_close = false;  // nc -N: accepted; soket always shuts its side down at EOF.
  bool verbose = false;
  bool numeric = false;  // nc -n: HOST must be an IP address; no name lookup.
  std::optional<double> wait;
  std::string source;
  bool ipv4 = false;
  bool ipv6 = false;
};

// After stdin ends, a UDP session waits this long for more replies unless -w says otherwise
// (socat's -t is 0.5 s; nc -u waits for ever, which a script cannot use).
constexpr auto kUdpLinger = std::chrono::seconds(2);
// -z --udp without -w: how long silence must last to count a port as open.
constexpr auto kUdpProbeWait = std::chrono::seconds(1);

struct Plan {
  net::Transport transport = net::Transport::tcp;
  std::optional<Duration> wait;
  std::optional<net::Address> source;
  int family = AF_UNSPEC;
};

TimePoint deadline_of(const Plan& plan) {
  return plan.wait ? Clock::now() + *plan.wait : TimePoint::max();
}

std::optional<Failure> make_plan(const ConnectFlags& flags, Plan& plan) {
  if (flags.ipv4 && flags.ipv6) return usage_failure("-4 and -6 exclude each other");
  plan.transport = flags.udp ? net::Transport::udp : net::Transport::tcp;
  plan.family = family_of(flags.ipv4, flags.ipv6);
  if (flags.wait) plan.wait = from_seconds(*flags.wait);
  if (!flags.source.empty()) {
    auto source = net::Address::parse(flags.source, 0);
    if (!source) {
      return usage_failure(fmt::format(
          "-s takes a local IP address such as 127.0.0.1 or ::1, not '{}'", flags.source));
    }
    if (plan.family != AF_UNSPEC && source->family() != plan.family) {
      return usage_failure(fmt::format("-s {} is not an {} address, as -{} asks", flags.source,
                                       family_name(plan.family), flags.ipv4 ? 4 : 6));
    }
    plan.source = *source;
  }
  return std::nullopt;
}

// A connection that could not be made, in words: -w is named for a timeout.
Failure connect_failure(const std::error_code& error, std::string_view target, const Plan& plan) {
  if (error == std::errc::timed_out && plan.wait) {
    return {kExitTimedOut, fmt::format("no answer from {} within {}; check the server, or allow "
                                       "more time with -w",
                                       target, seconds_words(*plan.wait))};
  }
  if (error == std::errc::address_not_available && plan.source) {
    return {kExitNetworkError,
            fmt::format("cannot connect to {} from {}: no interface of this machine has that "
                        "address (or it is not of the target's family); check -s",
                        target, plan.source->host())};
  }
  return client_failure(error, target, plan.wait.value_or(Duration::zero()));
}

Result<std::vector<net::Address>> addresses_of(const std::string& host, std::uint16_t port,
                                               const Plan& plan) {
  auto addresses = net::resolve(host, port, plan.transport);
  if (!addresses) return addresses.error();
  auto kept = keep_family(std::move(addresses).value(), plan.family);
  if (kept.empty()) return std::make_error_code(std::errc::address_family_not_supported);
  return kept;
}

Failure resolve_failure(const std::error_code& error, std::string_view host,
                        std::string_view target, const Plan& plan) {
  if (error == std::errc::address_family_not_supported) {
    return {kExitHostNotFound,
            fmt::format("{} has no {} address; drop -{} or give another host", host,
                        family_name(plan.family), plan.family == AF_INET ? 4 : 6)};
  }
  return client_failure(error, target, Duration::zero());
}

int relay(net::Fd fd, const std::string& target, const Plan& plan, bool verbose) {
  if (verbose) log::warn("Connection to {} succeeded!", target);
  clients::ByteRelay relay(STDIN_FILENO, STDOUT_FILENO, plan.wait);
  clients::RelayOutcome outcome;
  if (plan.transport == net::Transport::tcp) {
    // On a terminal the session ends when the server closes, rather than when the user next
    // types into a connection nobody reads (nc waits for that).
    const bool terminal = ::isatty(STDIN_FILENO) != 0;
    outcome = relay.run_stream(
        fd.get(), terminal ? clients::StreamEnd::peer_done : clients::StreamEnd::both_done);
  } else {
    clients::DatagramRelayOptions options;
    options.linger_after_input = plan.wait.value_or(kUdpLinger);
    outcome = relay.run_datagrams(fd.get(), options);
  }
  return finish_relay(outcome, target, /*peer_is_server=*/true);
}

int connect_unix(const std::string& path, const ConnectFlags& flags, const Plan& plan) {
  const std::string target = "unix:" + path;
  if (flags.udp) return report(usage_failure("--udp does not apply to unix: paths (stream only)"));
  if (!flags.port.empty()) return report(usage_failure("a unix: path takes no PORT"));
  if (plan.source) return report(usage_failure("-s does not apply to unix: paths"));
  auto fd = net::connect_unix(path, deadline_of(plan));
  if (flags.scan) {
    if (fd) {
      log::warn("Connection to {} succeeded!", target);
      return kExitOk;
    }
    log::warn("soket: connect to {} failed: {}", target, fd.error().message());
    return kExitFailure;
  }
  if (!fd) {
    if (fd.error() == std::errc::no_such_file_or_directory) {
      return report({kExitConnectionRefused,
                     fmt::format("{} does not exist; is the server running?", target)});
    }
    return report(connect_failure(fd.error(), target, plan));
  }
  return relay(std::move(fd).value(), target, plan, flags.verbose);
}

// PORT or, with -z, FIRST-LAST.
std::optional<Failure> parse_ports(const std::string& text, bool scan, std::uint16_t& first,
                                   std::uint16_t& last) {
  const auto dash = text.find('-');
  if (dash == std::string::npos || dash == 0) {
    if (auto failure = parse_port_flag(text, first)) return failure;
    last = first;
    return std::nullopt;
  }
  if (!scan) return usage_failure("a port range (FIRST-LAST) is for -z only");
  if (auto failure = parse_port_flag(text.substr(0, dash), first)) return failure;
  if (auto failure = parse_port_flag(text.substr(dash + 1), last)) return failure;
  if (first > last) return usage_failure(fmt::format("the range {} runs backwards", text));
  return std::nullopt;
}

int scan(const ConnectFlags& flags, const Plan& plan, std::uint16_t first, std::uint16_t last) {
  auto addresses = addresses_of(flags.host, first, plan);
  const auto protocol = flags.udp ? "udp" : "tcp";
  if (!addresses) {
    return report(resolve_failure(addresses.error(), flags.host,
                                  describe_target(flags.host, first, plan.transport), plan));
  }
  bool any_open = false;
  for (std::uint32_t port = first; port <= last; ++port) {
    for (auto& address : *addresses) address.set_port(static_cast<std::uint16_t>(port));
    Duration wait = plan.wait.value_or(flags.udp ? Duration(kUdpProbeWait) : Duration::max());
    const auto deadline = wait == Duration::max() ? TimePoint::max() : Clock::now() + wait;
    const auto error = clients::probe_port(*addresses, plan.transport, deadline, plan.source);
    if (!error) {
      any_open = true;
      log::warn("Connection to {} port {} ({}) succeeded!", flags.host, port, protocol);
    } else {
      log::warn("soket: connect to {} port {} ({}) failed: {}", flags.host, port, protocol,
                error.message());
    }
  }
  return any_open ? kExitOk : kExitFailure;
}

int run_connect(const ConnectFlags& flags) {
  Plan plan;
  if (auto failure = make_plan(flags, plan)) return report(*failure);
  if (auto path = unix_path(flags.host)) return connect_unix(*path, flags, plan);
  if (flags.port.empty()) return report(usage_failure("missing PORT: soket connect HOST PORT"));
  if (flags.numeric && !net::Address::parse(flags.host, 0)) {
    return report(usage_failure(fmt::format("-n: '{}' is not an IP address", flags.host)));
  }
  std::uint16_t first = 0, last = 0;
  if (auto failure = parse_ports(flags.port, flags.scan, first, last)) return report(*failure);
  if (flags.scan) return scan(flags, plan, first, last);
  const auto target = describe_target(flags.host, first, plan.transport);
  auto addresses = addresses_of(flags.host, first, plan);
  if (!addresses) return report(resolve_failure(addresses.error(), flags.host, target, plan));
  auto connected = net::connect_any(*addresses, plan.transport, deadline_of(plan), plan.source);
  if (!connected) return report(connect_failure(connected.error(), target, plan));
  return relay(std::move(connected->fd), target, plan, flags.verbose);
}

}  // namespace

void add_connect_command(CLI::App& app, Action& action) {
  auto* command = app.add_subcommand(
      "connect",
      "nc HOST PORT: stdin to a TCP/UDP/unix: socket and the socket to stdout; -z checks ports");
  auto flags = std::make_shared<ConnectFlags>();
  command->add_option("HOST", flags->host, "Host name, IP address, or unix:/path")->required();
  command->add_option("PORT", flags->port, "Port; with -z also FIRST-LAST");
  command->add_flag("-u,--udp", flags->udp, "UDP: each stdin line is one datagram");
  command->add_flag("-z", flags->scan, "Only check whether the port(s) accept connections");
  command
      ->add_option("-w", flags->wait,
                   "Seconds to wait for the connection, and for a silent session")
      ->check(seconds_between(0.001, 86400));
  command->add_option("-s", flags->source, "Local address to connect from");
  command->add_flag("-4", flags->ipv4, "IPv4 addresses only");
  command->add_flag("-6", flags->ipv6, "IPv6 addresses only");
  command->add_flag("-N", flags->half_close,
                    "Shut the socket's write side down at the end of stdin (always done)");
  command->add_flag("-n", flags->numeric, "HOST is an IP address: no name lookup");
  command->add_flag("-v", flags->verbose, "Say on stderr when connected");
  command->callback([flags, &action] { action = [flags] { return run_connect(*flags); }; });
}

}  // namespace soket::cli
