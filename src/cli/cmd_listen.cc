// soket listen [HOST] PORT: nc -l, the other end of soket connect. One client at a time (as
// nc -lk): stdin goes to it and what it sends goes to stdout; -k waits for the next one.
#include <fmt/core.h>
#include <signal.h>
#include <unistd.h>

#include <memory>
#include <optional>

#include "cli/commands.h"
#include "cli/option_checks.h"
#include "cli/plain_socket.h"
#include "cli/server_flags.h"
#include "clients/byte_relay.h"
#include "core/log.h"
#include "net/deadline_io.h"
#include "net/socket_ops.h"
#include "net/unix_socket.h"

namespace soket::cli {
namespace {

struct ListenFlags {
  std::vector<std::string> where;  // [HOST] PORT, or unix:/path.
  std::string port;                // nc -l -p PORT.
  bool udp = false;
  bool keep = false;
  bool ipv4 = false;
  bool ipv6 = false;
  bool quiet = false;
  std::optional<double> wait;
  bool numeric = false;      // nc -n: no name lookups.
  bool verbose = false;      // nc -v: the lines on stderr are printed anyway.
  bool listen_flag = false;  // nc -l: accepted, as listening is what this command does.
};

// Clients waiting while one is served queue in the kernel, as with nc -lk.
constexpr int kBacklog = 16;

struct Session {
  std::optional<Duration> idle;
  bool keep = false;
  bool quiet = false;
};

// Serves clients one at a time on a listening stream socket (TCP or unix:).
int serve_stream(int listener, const Session& session) {
  clients::ByteRelay relay(STDIN_FILENO, STDOUT_FILENO, session.idle);
  for (;;) {
    if (auto ready = net::wait_ready(listener, POLLIN, TimePoint::max()); !ready) {
      return report({kExitNetworkError,
                     fmt::format("waiting for a client failed: {}", ready.error().message())});
    }
    auto accepted = net::try_accept(listener);
    if (!accepted) {
      if (net::is_would_block(accepted.error()) ||
          accepted.error() == std::errc::connection_aborted) {
        continue;  // The client gave up before we took it.
      }
      return report({kExitNetworkError,
                     fmt::format("accepting a client failed: {}", accepted.error().message())});
    }
    // A unix: client has no address of its own to show.
    const auto peer = accepted->peer.family() == AF_UNIX || accepted->peer.length() == 0
                          ? std::string("a unix: client")
                          : accepted->peer.to_string();
    if (!session.quiet) log::warn("connection from {}", peer);
    const auto outcome = relay.run_stream(accepted->fd.get(), clients::StreamEnd::peer_done);
    const int code = finish_relay(outcome, peer, /*peer_is_server=*/false);
    if (!session.quiet && outcome.ending != clients::RelayEnding::failed) {
      log::warn("{} left", peer);
    }
    // A client's failure costs only that client under -k; stdin or stdout failing ends it all.
    const bool local_failure = outcome.ending == clients::RelayEnding::failed && !outcome.on_socket;
    if (!session.keep || local_failure || outcome.ending == clients::RelayEnding::output_closed) {
      return code;
    }
  }
}

int serve_datagrams(int socket, const Session& session) {
  clients::ByteRelay relay(STDIN_FILENO, STDOUT_FILENO, session.idle);
  clients::DatagramRelayOptions options;
  options.connected = false;
  options.lock_to_first_peer = !session.keep;
  options.refused_is_error = false;
  options.on_peer = [quiet = session.quiet](const net::Address& peer) {
    if (!quiet) log::warn("datagrams from {}", peer.to_string());
  };
  return finish_relay(relay.run_datagrams(socket, options), "the client", false);
}

// The socket file goes at the end, and on SIGINT or SIGTERM too (net::SocketFileOwner says
// when it is still ours). Signals are the CLI's business: the handler removes the file, then
// ends as the signal would have, so the shell sees 130 or 143.
const net::SocketFileOwner* g_socket_file = nullptr;

extern "C" void on_stop_signal(int signal_number) {
  if (g_socket_file != nullptr) g_socket_file->remove_if_ours();
  ::signal(signal_number, SIG_DFL);
  ::raise(signal_number);
}

int listen_unix(const std::string& path, const ListenFlags& flags, const Session& session) {
  const std::string where = "unix:" + path;
  if (flags.udp) return report(usage_failure("--udp does not apply to unix: paths (stream only)"));
  auto listener = net::listen_unix(path, kBacklog);
  if (!listener) {
    if (listener.error() == std::errc::file_exists) {
      return report({kExitAddressInUse,
                     fmt::format("{} exists and is not a socket; soket will not remove it: "
                                 "choose another path",
                                 where)});
    }
    if (listener.error() == std::errc::address_in_use) {
      return report({kExitAddressInUse,
                     fmt::format("{} is in use: a server accepts connections on it; stop it "
                                 "or choose another path",
                                 where)});
    }
    return report(bind_failure(listener.error(), where));
  }
  const net::SocketFileOwner socket_file(path);
  g_socket_file = &socket_file;
  ::signal(SIGINT, on_stop_signal);
  ::signal(SIGTERM, on_stop_signal);
  if (listener->stale == net::StaleSocket::removed && !session.quiet) {
    log::warn("soket: removed the stale socket file {} (nothing listened on it)", path);
  }
  log::warn("listening on {}", where);
  const int code = serve_stream(listener->fd.get(), session);
  ::signal(SIGINT, SIG_DFL);  // Before the owner goes: no handler may reach it afterwards.
  ::signal(SIGTERM, SIG_DFL);
  g_socket_file = nullptr;
  return code;
}

std::optional<Failure> split_where(const ListenFlags& flags, std::string& host, std::string& port) {
  if (flags.ipv4 && flags.ipv6) return usage_failure("-4 and -6 exclude each other");
  host = flags.ipv6 ? "::1" : "127.0.0.1";
  if (flags.where.size() == 2) {
    host = flags.where[0];
    port = flags.where[1];
  } else if (flags.where.size() == 1) {
    port = flags.where[0];
  }
  if (!flags.port.empty()) {
    if (!port.empty() && flags.where.size() == 2) {
      return usage_failure("give the port once: soket listen [HOST] PORT, or -p PORT");
    }
    if (!port.empty()) host = port;  // soket listen HOST -p PORT
    port = flags.port;
  }
  if (port.empty()) return usage_failure("missing PORT: soket listen [HOST] PORT");
  return std::nullopt;
}

int run_listen(const ListenFlags& flags) {
  const Session session{flags.wait ? std::optional(from_seconds(*flags.wait)) : std::nullopt,
                        flags.keep, flags.quiet};
  if (flags.where.size() == 1) {
    if (auto path = unix_path(flags.where[0])) return listen_unix(*path, flags, session);
  }
  std::string host, port_text;
  if (auto failure = split_where(flags, host, port_text)) return report(*failure);
  std::uint16_t port = 0;
  if (auto failure = parse_port_flag(port_text, port)) return report(*failure);
  const auto transport = flags.udp ? net::Transport::udp : net::Transport::tcp;
  const auto where = describe_target(host, port, transport);
  if (flags.numeric && !net::Address::parse(host, port)) {
    return report(usage_failure(fmt::format("-n: '{}' is not an IP address", host)));
  }
  auto addresses = net::resolve_bind(host, port, transport);
  if (!addresses) return report(bind_failure(addresses.error(), where));
  auto kept = keep_family(std::move(addresses).value(), family_of(flags.ipv4, flags.ipv6));
  if (kept.empty()) {
    return report(usage_failure(
        fmt::format("{} has no {} address", host, family_name(family_of(flags.ipv4, flags.ipv6)))));
  }
  const auto& address = kept.front();
  auto fd =
      flags.udp ? net::open_bound_datagram(address, {}) : net::open_listener(address, {}, kBacklog);
  if (!fd) return report(bind_failure(fd.error(), where));
  auto local = net::local_address(fd->get());
  log::warn("listening on {} ({})", local ? local->to_string() : address.to_string(),
            flags.udp ? "udp" : "tcp");
  return flags.udp ? serve_datagrams(fd->get(), session) : serve_stream(fd->get(), session);
}

}  // namespace

void add_listen_command(CLI::App& app, Action& action) {
  auto* command = app.add_subcommand(
      "listen", "nc -l PORT: wait for a TCP/UDP/unix: client; stdin to it, its bytes to stdout");
  auto flags = std::make_shared<ListenFlags>();
  command->add_option("WHERE", flags->where, "[HOST] PORT (HOST: 127.0.0.1), or unix:/path")
      ->expected(1, 2)
      ->type_name("[HOST] PORT | unix:/PATH");
  command->add_option("-p,--port", flags->port, "The port, as nc -l -p PORT");
  command->add_flag("-u,--udp", flags->udp, "UDP: print datagrams, answer their sender");
  command->add_flag("-k", flags->keep, "Keep listening after a client leaves");
  command->add_flag("-4", flags->ipv4, "IPv4 (the default host is 127.0.0.1)");
  command->add_flag("-6", flags->ipv6, "IPv6 (the default host is ::1)");
  command->add_flag("-l", flags->listen_flag,
                    "Accepted for nc's habit: listening is what this command does");
  command->add_option("-w", flags->wait, "End a session silent for that many seconds")
      ->check(seconds_between(0.001, 86400));
  command->add_flag("-n", flags->numeric, "HOST is an IP address: no name lookup");
  command->add_flag("-v", flags->verbose, "Accepted for nc's habit (the stderr lines are on)");
  command->add_flag("-q,--quiet", flags->quiet, "No `connection from` lines on stderr");
  command->callback([flags, &action] { action = [flags] { return run_listen(*flags); }; });
}

}  // namespace soket::cli
