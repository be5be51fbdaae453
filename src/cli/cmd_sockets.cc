// soket sockets: the machine's TCP, UDP and Unix sockets and their states (seed 003's
// netstat, ss's options and filters).
#include <fmt/core.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "cli/commands.h"
#include "cli/failure.h"
#include "cli/option_checks.h"
#include "cli/server_flags.h"
#include "cli/sockets_output.h"
#include "clients/socket_lister.h"
#include "core/log.h"

namespace soket::cli {
namespace {

struct SocketsFlags {
  bool tcp = false, udp = false, unix_sockets = false, ipv4 = false, ipv6 = false;
  bool listening = false, all = false, processes = false, numeric = false;
  bool summary = false, extended = false, info = false;
  std::string port;
  std::vector<std::string> filter;
  bool json = false;
  double watch = 0;
};

int show_once(const clients::SocketQuery& query, const SocketsFlags& flags, bool& warned) {
  auto listing = clients::list_sockets(query);
  if (!listing) {
    return report({kExitFailure, fmt::format("cannot read the kernel's socket table over "
                                             "netlink: {}",
                                             listing.error().message())});
  }
  std::sort(listing->sockets.begin(), listing->sockets.end(), [](const auto& a, const auto& b) {
    return std::make_tuple(a.is_unix, a.protocol, a.local.port(), a.peer.port(), a.unix_name,
                           a.inode) < std::make_tuple(b.is_unix, b.protocol, b.local.port(),
                                                      b.peer.port(), b.unix_name, b.inode);
  });
  const SocketsOutput output{flags.processes, flags.extended, flags.info};
  if (flags.summary) {
    print_socket_summary(clients::summarize(*listing), flags.json);
  } else if (flags.json) {
    print_socket_json(*listing, output);
  } else {
    print_socket_table(*listing, output);
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
  // No protocol named: TCP and UDP, as netstat and ss -s count them.
  const bool any_protocol = flags.tcp || flags.udp || flags.unix_sockets;
  query.tcp = flags.tcp || !any_protocol;
  query.udp = flags.udp || !any_protocol;
  query.unix_sockets = flags.unix_sockets;
  query.ipv4 = flags.ipv4 || !flags.ipv6;
  query.ipv6 = flags.ipv6 || !flags.ipv4;
  // -s counts every state unless -l or a state filter narrows it, as ss -s does.
  query.selection = flags.all || (flags.summary && !flags.listening) ? clients::SocketSelection::all
                    : flags.listening ? clients::SocketSelection::listening
                                      : clients::SocketSelection::connected;
  query.processes = flags.processes;
  query.tcp_info = flags.info;
  if (!flags.filter.empty()) {
    std::string error;
    query.filter = proto::sockstat::Filter::parse(flags.filter, error);
    if (!query.filter) {
      return report(usage_failure(error));
    }
  }
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
  auto* command = app.add_subcommand(
      "sockets", "TCP, UDP and Unix sockets and their states, as ss and netstat");
  command->footer(
      "FILTER is ss's (see the README for all of it):\n"
      "  state NAME, exclude NAME   established, listening, time-wait, closed, connected,\n"
      "                             synchronized, bucket, big, all, ...\n"
      "  sport OP :PORT, dport OP :PORT   OP: = != < <= > >= (or eq ne lt le gt ge)\n"
      "  src ADDRESS, dst ADDRESS   127.0.0.1, 10.0.0.0/8:80, [::1]:443, *:22\n"
      "  joined by and, or, not and ( ), e.g.\n"
      "  soket sockets -t state established '( dport = :443 or sport = :8080 )'\n"
      "soket never resolves names: addresses and ports are always numbers, and -n is implied.");
  auto flags = std::make_shared<SocketsFlags>();
  command->add_flag("-t,--tcp", flags->tcp, "TCP sockets (default: TCP and UDP)");
  command->add_flag("-u,--udp", flags->udp, "UDP sockets (default: TCP and UDP)");
  command->add_flag("-x,--unix", flags->unix_sockets, "Unix-domain sockets");
  command->add_flag("-4,--ipv4", flags->ipv4, "IPv4 sockets only");
  command->add_flag("-6,--ipv6", flags->ipv6, "IPv6 sockets only");
  command->add_flag("-l,--listening", flags->listening, "Listening sockets only");
  command->add_flag("-a,--all", flags->all, "Sockets in every state");
  command->add_flag("-n,--numeric", flags->numeric,
                    "Numeric addresses and ports (always so: soket never resolves names)");
  command->add_flag("-p,--processes", flags->processes, "The owning process (pid/name)");
  command->add_flag("-e,--extended", flags->extended, "The owner's uid and the inode");
  command->add_flag("-i,--info", flags->info,
                    "TCP internals: rto, rtt/rttvar (ms), mss, cwnd, ssthresh, retransmits");
  command->add_flag("-s,--summary", flags->summary,
                    "Counts per protocol, family and state (every state unless -l or state)");
  command->add_option("--port", flags->port, "Only sockets whose local or peer port is PORT");
  command->add_flag("--json", flags->json, "One JSON object per socket (with -s: one in all)");
  command->add_option("--watch", flags->watch, "Redraw every SECONDS until interrupted")
      ->check(seconds_between(0.1, 86400));
  command->add_option("FILTER", flags->filter, "An ss filter (see below)");
  command->callback([flags, &action] { action = [flags] { return run_sockets(*flags); }; });
}

}  // namespace soket::cli
