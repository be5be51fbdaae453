// soket sockets: the machine's TCP and UDP sockets and their states (seed 003's netstat).
#include <fmt/core.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <memory>
#include <tuple>

#include "cli/commands.h"
#include "cli/failure.h"
#include "cli/option_checks.h"
#include "cli/server_flags.h"
#include "clients/socket_lister.h"
#include "core/log.h"

namespace soket::cli {
namespace {

struct SocketsFlags {
  bool tcp = false, udp = false, listening = false, all = false, processes = false;
  std::string port;
  bool json = false;
  double watch = 0;
};

std::string peer_text(const clients::ListedSocket& s) {
  if (s.has_peer) return s.peer.to_string();
  return s.peer.is_v6() ? "[" + s.peer.host() + "]:*" : s.peer.host() + ":*";
}

std::string json_escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
      continue;
    }
    out.push_back(c);
  }
  return out;
}

void print_json(const clients::SocketListing& listing) {
  for (const auto& s : listing.sockets) {
    std::string process = "null";
    if (s.process) {
      process = fmt::format("{{\"pid\":{},\"name\":\"{}\"}}", s.process->pid,
                            json_escape(s.process->name));
    }
    fmt::print(
        "{{\"proto\":\"{}\",\"state\":\"{}\",\"recv_q\":{},\"send_q\":{},"
        "\"local\":\"{}\",\"peer\":\"{}\",\"inode\":{},\"process\":{}}}\n",
        s.protocol, s.state, s.recv_q, s.send_q, s.local.to_string(), peer_text(s), s.inode,
        process);
  }
}

void print_table(const clients::SocketListing& listing, bool processes) {
  std::size_t local_width = 20, peer_width = 20;
  for (const auto& s : listing.sockets) {
    local_width = std::max(local_width, s.local.to_string().size());
    peer_width = std::max(peer_width, peer_text(s).size());
  }
  fmt::print("{:<5} {:<10} {:>7} {:>7} {:<{}} {:<{}}{}\n", "Proto", "State", "Recv-Q", "Send-Q",
             "Local", local_width, "Peer", peer_width, processes ? " Process" : "");
  for (const auto& s : listing.sockets) {
    std::string process;
    if (processes && s.process) process = fmt::format(" {}/{}", s.process->pid, s.process->name);
    fmt::print("{:<5} {:<10} {:>7} {:>7} {:<{}} {:<{}}{}\n", s.protocol, s.state, s.recv_q,
               s.send_q, s.local.to_string(), local_width, peer_text(s), peer_width, process);
  }
}

int show_once(const clients::SocketQuery& query, const SocketsFlags& flags, bool& warned) {
  auto listing = clients::list_sockets(query);
  if (!listing) {
    return report({kExitFailure, fmt::format("cannot read the kernel's socket table over "
                                             "netlink: {}",
                                             listing.error().message())});
  }
  std::sort(listing->sockets.begin(), listing->sockets.end(), [](const auto& a, const auto& b) {
    return std::make_tuple(a.protocol, a.local.port(), a.peer.port()) <
           std::make_tuple(b.protocol, b.local.port(), b.peer.port());
  });
  if (flags.json) {
    print_json(*listing);
  } else {
    print_table(*listing, flags.processes);
  }
  std::fflush(stdout);
  if (listing->some_processes_hidden && !warned) {
    warned = true;
    log::warn(
        "soket: some processes' sockets could not be matched (no permission to read "
        "their /proc/PID/fd); run as root to see them all");
  }
  return kExitOk;
}

int run_sockets(const SocketsFlags& flags) {
  clients::SocketQuery query;
  query.tcp = flags.tcp || !flags.udp;
  query.udp = flags.udp || !flags.tcp;
  query.selection = flags.all         ? clients::SocketSelection::all
                    : flags.listening ? clients::SocketSelection::listening
                                      : clients::SocketSelection::connected;
  query.processes = flags.processes;
  if (!flags.port.empty()) {
    std::uint16_t port = 0;
    if (auto failure = parse_port_flag(flags.port, port)) return report(*failure);
    query.port = port;
  }
  bool warned = false;
  if (flags.watch <= 0) return show_once(query, flags, warned);
  // --watch: redraw until SIGINT or SIGTERM, which end it with exit 0.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  const bool terminal = ::isatty(STDOUT_FILENO) != 0;
  for (;;) {
    if (terminal) fmt::print("\x1b[H\x1b[2J");
    if (const int code = show_once(query, flags, warned); code != kExitOk) return code;
    const auto period = from_seconds(flags.watch);
    const auto whole = std::chrono::duration_cast<std::chrono::seconds>(period);
    const timespec wait{
        static_cast<time_t>(whole.count()),
        static_cast<long>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(period - whole).count())};
    if (::sigtimedwait(&stop, nullptr, &wait) > 0) return kExitOk;
  }
}

}  // namespace

void add_sockets_command(CLI::App& app, Action& action) {
  auto* command = app.add_subcommand("sockets", "TCP and UDP sockets and their states, as ss");
  auto flags = std::make_shared<SocketsFlags>();
  command->add_flag("-t,--tcp", flags->tcp, "TCP sockets (default: TCP and UDP)");
  command->add_flag("-u,--udp", flags->udp, "UDP sockets (default: TCP and UDP)");
  command->add_flag("-l,--listening", flags->listening, "Listening sockets only");
  command->add_flag("-a,--all", flags->all, "Sockets in every state");
  command->add_flag("-p,--processes", flags->processes, "The owning process (pid/name)");
  command->add_option("--port", flags->port, "Only sockets whose local or peer port is PORT");
  command->add_flag("--json", flags->json, "One JSON object per socket");
  command->add_option("--watch", flags->watch, "Redraw every SECONDS until interrupted")
      ->check(seconds_between(0.1, 86400));
  command->callback([flags, &action] { action = [flags] { return run_sockets(*flags); }; });
}

}  // namespace soket::cli
