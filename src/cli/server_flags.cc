#include "cli/server_flags.h"

#include <fmt/core.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

#include "cli/option_checks.h"
#include "core/buffer.h"
#include "core/log.h"
#include "net/address.h"
#include "net/deadline_io.h"
#include "reactor/signal_watcher.h"

namespace soket::cli {
namespace {

constexpr Duration kSummaryWait = std::chrono::seconds(5);

}  // namespace
namespace {
// A connection's output may pass --max-output by one read's worth of replies before reading
// stops, so the flag's ceiling is half of what a Buffer can hold: that overshoot always fits.
constexpr std::size_t kMaxOutputLimit = Buffer::kMaxSize / 2;
}  // namespace

void add_server_flags(CLI::App& command, ServerFlags& flags, bool transports_both,
                      bool idle_timeout) {
  command.add_option("-p,--port", flags.port, "Port to listen on (0: an ephemeral one)")
      ->required();
  command.add_option("-H,--host", flags.host, "Address to listen on (0.0.0.0 or :: for all)")
      ->capture_default_str();
  if (transports_both) {
    command.add_flag("--udp", flags.udp, "Serve UDP only (default: TCP and UDP)");
    command.add_flag("--tcp", flags.tcp, "Serve TCP only (default: TCP and UDP)");
  } else {
    command.add_flag("--udp", flags.udp, "Serve UDP instead of TCP");
  }
  command.add_option("--threads", flags.threads, "Event loops, one thread each (default: CPUs)")
      ->check(count_between(1, 1024));
  command.add_option("--backlog", flags.backlog, "Pending-connection queue for listen(2)")
      ->check(count_between(1, 65535))
      ->capture_default_str();
  command.add_option("--max-conns", flags.max_connections, "Refuse connections past this many")
      ->check(count_between(1, 10'000'000));
  if (idle_timeout) {
    command
        .add_option("--idle-timeout", flags.idle_timeout,
                    "Close a TCP connection silent this many seconds")
        ->check(seconds_between(0.001, 604800));
  }
  command
      .add_option("--handshake-timeout", flags.handshake_timeout,
                  "Drop a connection that has not finished its handshake in this many seconds "
                  "(echo, transform: sent its first byte; chat: joined the room); 0: never")
      ->check(seconds_between(0, 604800))
      ->capture_default_str();
  command
      .add_option("--max-output", flags.max_output,
                  "Bytes queued for a slow reader before we stop reading from it "
                  "(4096 up to 2 GiB, half of what a connection buffer can hold)")
      ->check(bytes_between(4096, kMaxOutputLimit))
      ->capture_default_str();
  command.add_flag("--reuseport", flags.reuse_port,
                   "SO_REUSEPORT: a listening socket per thread (others may share the port)");
  command.add_flag("--nodelay", flags.no_delay, "TCP_NODELAY on every connection");
  command.add_flag("--keepalive", flags.keep_alive, "SO_KEEPALIVE on every connection");
  command.add_option("--linger", flags.linger, "SO_LINGER: seconds close() may wait to flush")
      ->check(count_between(0, 3600, "seconds"));
  command.add_option("--rcvbuf", flags.receive_buffer, "SO_RCVBUF in bytes")
      ->check(bytes_between(1024, std::uint64_t{1} << 30));
  command.add_option("--sndbuf", flags.send_buffer, "SO_SNDBUF in bytes")
      ->check(bytes_between(1024, std::uint64_t{1} << 30));
  command
      .add_option("--backend", flags.backend,
                  "Engine of the TCP connections: auto (io_uring where the kernel allows it, "
                  "else epoll), epoll or io_uring")
      ->check(one_of({"auto", "epoll", "io_uring"}))
      ->capture_default_str();
  command.add_flag("-q,--quiet", flags.quiet, "No connection logs on stderr");
  command.add_flag("-v,--verbose", flags.verbose, "More detail on stderr");
}

std::optional<Failure> parse_port_flag(const std::string& text, std::uint16_t& port) {
  auto parsed = net::parse_port(text);
  if (parsed) {
    port = *parsed;
    return std::nullopt;
  }
  if (parsed.error() == std::errc::result_out_of_range) {
    return Failure{kExitBadPort,
                   fmt::format("port {} is outside 0..65535; choose a port in that range", text)};
  }
  return usage_failure(fmt::format("port '{}' is not a number", text));
}

std::optional<Failure> to_server_config(const ServerFlags& flags, bool transports_both,
                                        services::ServerConfig& config) {
  if (auto failure = parse_port_flag(flags.port, config.port)) return failure;
  config.host = flags.host;
  if (transports_both) {
    if (flags.udp && flags.tcp) return usage_failure("--udp and --tcp exclude each other");
    config.tcp = !flags.udp;
    config.udp = !flags.tcp;
  } else {
    config.tcp = !flags.udp;
    config.udp = flags.udp;
  }
  const auto cpus = static_cast<int>(std::thread::hardware_concurrency());
  config.threads = flags.threads > 0 ? flags.threads : (cpus > 0 ? cpus : 1);
  config.backlog = flags.backlog;
  config.max_connections = flags.max_connections;
  config.idle_timeout = from_seconds(flags.idle_timeout);
  config.handshake_timeout = from_seconds(flags.handshake_timeout);
  config.output_limit = flags.max_output;
  config.engine = flags.backend == "epoll"      ? conn::EngineRequest::epoll
                  : flags.backend == "io_uring" ? conn::EngineRequest::io_uring
                                                : conn::EngineRequest::automatic;
  auto& options = config.socket_options;
  options.reuse_port = flags.reuse_port;
  options.no_delay = flags.no_delay;
  options.keep_alive = flags.keep_alive;
  if (flags.linger) options.linger = std::chrono::seconds(*flags.linger);
  options.receive_buffer = flags.receive_buffer;
  options.send_buffer = flags.send_buffer;
  if (flags.quiet) log::set_level(log::Level::quiet);
  if (flags.verbose) log::set_level(log::Level::verbose);
  return std::nullopt;
}

void raise_open_file_limit() {
  // The soft limit is often 1024, which a busy server passes; the hard limit is ours to take.
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

int serve(services::ServerConfig config, services::ServiceFactory factory,
          const BeforeListening& before_listening) {
  raise_open_file_limit();
  // Before any thread starts, so that every thread inherits the mask (see SignalWatcher).
  reactor::block_termination_signals();
  services::Server server(std::move(config), std::move(factory));
  if (auto failure = server.open()) return report(bind_failure(failure->error, failure->where));
  if (before_listening) {
    if (auto failure = before_listening(server)) return report(*failure);
  }
  // Always shown, -q included: it is not a connection log, and tests read it to know which
  // engine really runs.
  log::write_line(server.engine_line());
  for (const auto& endpoint : server.endpoints()) {
    fmt::print("listening on {}\n", services::describe(endpoint));
  }
  std::fflush(stdout);
  reactor::EventLoop base;
  reactor::SignalWatcher signals(base, [&server](int signal_number) {
    log::info("{}: stopping; flushing and closing connections",
              signal_number == SIGINT ? "SIGINT" : "SIGTERM");
    server.shutdown();
  });
  const auto stats = server.run(base);
  // A stdout that nobody reads (a full pipe) must not hold the exit: wait a bounded time for
  // room, then give the line up. One line fits in the room poll(2) promises, so once it says
  // writable the write does not block.
  if (net::wait_ready(STDOUT_FILENO, POLLOUT, Clock::now() + kSummaryWait).ok()) {
    fmt::print(
        "summary: {} connections, {} datagrams in, {} datagrams out, {} bytes in, {} bytes "
        "out\n",
        stats.connections, stats.datagrams_in, stats.datagrams_out, stats.bytes_in,
        stats.bytes_out);
    std::fflush(stdout);
  } else {
    log::warn("stdout is not being read: the summary line was not written");
  }
  return kExitOk;
}

}  // namespace soket::cli
