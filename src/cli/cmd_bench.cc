// soket bench echo: load a server and report throughput, latency, fairness and, with
// --server-pid, the server's CPU time per message and its memory.
#include <fmt/core.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "cli/commands.h"
#include "cli/option_checks.h"
#include "cli/server_flags.h"
#include "clients/load_generator.h"

namespace soket::cli {
namespace {

struct BenchFlags {
  clients::Workload workload = clients::Workload::echo;
  std::string password;
  std::string port;
  std::string host = "127.0.0.1";
  bool udp = false;
  int connections = 50;
  std::size_t size = 64;
  double duration = 5;
  double warmup = 1;
  int pipeline = 1;
  std::string mode = "pingpong";
  int threads = 1;
  int server_pid = 0;
  bool json = false;
};

const char* workload_name(clients::Workload workload) {
  switch (workload) {
    case clients::Workload::echo:
      return "echo";
    case clients::Workload::transform:
      return "transform";
    case clients::Workload::chat:
      return "chat";
  }
  return "?";
}

void print_progress(const clients::LoadProgress& p) {
  fmt::print(stderr, "\r[{:5.1f} s] {} {:>10} messages {:>12} bytes, {} open   ", p.seconds,
             p.measuring ? "measuring" : "warming  ", p.messages, p.bytes, p.open);
  std::fflush(stderr);
}

std::string optional_number(const std::optional<double>& value, int decimals) {
  return value ? fmt::format("{:.{}f}", *value, decimals) : "null";
}

void print_json(const BenchFlags& f, const clients::LoadReport& r) {
  fmt::print(
      "{{\"workload\":\"{}\",\"transport\":\"{}\",\"mode\":\"{}\",\"connections\":{},"
      "\"connected\":{},\"message_size\":{},\"pipeline\":{},\"threads\":{},\"seconds\":{:.3f},"
      "\"messages\":{},\"bytes\":{},\"messages_per_second\":{:.1f},\"mb_per_second\":{:.2f},"
      "\"latency_us\":{{\"p50\":{:.1f},\"p99\":{:.1f},\"p999\":{:.1f}}},\"fairness\":{:.4f},"
      "\"errors\":{},\"integrity_failures\":{},\"server_cpu_us_per_message\":{},"
      "\"server_rss_bytes\":{},\"server_rss_bytes_per_connection\":{},"
      "\"deliveries\":{},\"deliveries_per_second\":{:.1f}}}\n",
      workload_name(f.workload), f.udp ? "udp" : "tcp", f.mode, f.connections, r.connected, f.size,
      f.pipeline, f.threads, r.seconds, r.messages, r.bytes, r.messages_per_second,
      r.megabytes_per_second, static_cast<double>(r.p50_ns) / 1e3,
      static_cast<double>(r.p99_ns) / 1e3, static_cast<double>(r.p999_ns) / 1e3, r.fairness,
      r.errors, r.integrity_failures,
      optional_number(r.server_cpu_ns_per_message
                          ? std::optional(*r.server_cpu_ns_per_message / 1e3)
                          : std::nullopt,
                      3),
      r.server_rss_bytes ? std::to_string(*r.server_rss_bytes) : "null",
      optional_number(r.server_rss_bytes_per_connection, 1), r.deliveries, r.deliveries_per_second);
}

void print_text(const BenchFlags& f, const clients::LoadReport& r) {
  fmt::print(
      "soket bench {}: {} {}:{}, {}, {} connections ({} connected), {} B messages, "
      "pipeline {}, {:.2f} s measured, {} threads\n",
      workload_name(f.workload), f.udp ? "udp" : "tcp", f.host, f.port, f.mode, f.connections,
      r.connected, f.size, f.pipeline, r.seconds, f.threads);
  fmt::print("  messages/s   {:.0f}\n  MB/s         {:.2f}\n", r.messages_per_second,
             r.megabytes_per_second);
  if (f.workload == clients::Workload::chat) {
    fmt::print("  deliveries/s {:.0f} (message lines received by all members)\n",
               r.deliveries_per_second);
  }
  fmt::print("  latency      p50 {:.1f} us, p99 {:.1f} us, p99.9 {:.1f} us\n",
             static_cast<double>(r.p50_ns) / 1e3, static_cast<double>(r.p99_ns) / 1e3,
             static_cast<double>(r.p999_ns) / 1e3);
  fmt::print("  fairness     {:.1f} % (the slowest connection's share of the mean)\n",
             r.fairness * 100);
  fmt::print("  errors       {}\n  integrity    {} failures\n", r.errors, r.integrity_failures);
  if (r.server_cpu_ns_per_message) {
    fmt::print("  server CPU   {:.3f} us per message\n", *r.server_cpu_ns_per_message / 1e3);
  }
  if (r.server_rss_bytes) fmt::print("  server RSS   {} bytes\n", *r.server_rss_bytes);
  if (r.server_rss_bytes_per_connection) {
    fmt::print("  RSS/conn     {:.0f} bytes (growth since before connecting)\n",
               *r.server_rss_bytes_per_connection);
  }
}

int run_bench(const BenchFlags& flags) {
  clients::LoadConfig config;
  if (auto failure = parse_port_flag(flags.port, config.port)) return report(*failure);
  config.host = flags.host;
  config.transport = flags.udp ? net::Transport::udp : net::Transport::tcp;
  config.workload = flags.workload;
  config.password = flags.password;
  if (flags.workload != clients::Workload::echo && flags.udp) {
    return report(usage_failure("bench transform and bench chat run over TCP"));
  }
  if (flags.workload != clients::Workload::echo && flags.mode == "stream") {
    return report(usage_failure("--mode stream is for bench echo"));
  }
  if (flags.workload == clients::Workload::chat && flags.password.empty()) {
    return report(
        usage_failure("bench chat needs the room's password: --password or "
                      "SOKET_CHAT_PASSWORD"));
  }
  config.mode = flags.mode == "stream" ? clients::LoadMode::stream
                : flags.mode == "idle" ? clients::LoadMode::idle
                                       : clients::LoadMode::pingpong;
  if (flags.udp && config.mode == clients::LoadMode::stream) {
    return report(usage_failure("--mode stream is for TCP; UDP has pingpong and idle"));
  }
  if (flags.udp && flags.size > 65507) {
    return report(usage_failure("--size is at most 65507 bytes with --udp (one datagram)"));
  }
  config.connections = flags.connections;
  config.message_size = flags.size;
  config.pipeline = flags.pipeline;
  config.threads = flags.threads;
  config.duration = from_seconds(flags.duration);
  config.warmup = from_seconds(flags.warmup);
  if (flags.server_pid > 0) config.server_pid = flags.server_pid;
  const bool live = !flags.json && ::isatty(STDERR_FILENO) != 0;
  if (live) config.on_progress = print_progress;
  raise_open_file_limit();

  auto result = clients::run_load(config);
  if (live) fmt::print(stderr, "\n");
  const auto target = describe_target(flags.host, config.port, config.transport);
  if (!result) return report(client_failure(result.error(), target, config.duration));
  if (flags.json) {
    print_json(flags, *result);
  } else {
    print_text(flags, *result);
  }
  std::fflush(stdout);
  if (result->integrity_failures > 0) {
    return report({kExitFailure, fmt::format("{} replies from {} differed from what was sent",
                                             result->integrity_failures, target)});
  }
  return kExitOk;
}

void add_bench(CLI::App& bench, Action& action, clients::Workload workload, const char* help) {
  auto* command = bench.add_subcommand(workload_name(workload), help);
  auto flags = std::make_shared<BenchFlags>();
  flags->workload = workload;
  if (workload == clients::Workload::chat) {
    if (const char* password = std::getenv("SOKET_CHAT_PASSWORD")) flags->password = password;
    command->add_option("--password", flags->password,
                        "The room's password (default: SOKET_CHAT_PASSWORD)");
  }
  command->add_option("-p,--port", flags->port, "Port of the server")->required();
  command->add_option("-H,--host", flags->host, "Host of the server")->capture_default_str();
  command->add_flag("--udp", flags->udp, "UDP datagrams instead of a TCP stream");
  command->add_option("-c,--connections", flags->connections, "Connections (or UDP sockets)")
      ->check(count_between(1, 1'000'000))
      ->capture_default_str();
  command->add_option("-s,--size", flags->size, "Bytes per message")
      ->check(bytes_between(1, std::uint64_t{16} << 20))
      ->capture_default_str();
  command->add_option("-d,--duration", flags->duration, "Seconds measured")
      ->check(seconds_between(0.1, 86400))
      ->capture_default_str();
  command->add_option("--warmup", flags->warmup, "Seconds before measuring")
      ->check(seconds_between(0, 3600))
      ->capture_default_str();
  command->add_option("--pipeline", flags->pipeline, "Messages in flight per connection")
      ->check(count_between(1, 4096))
      ->capture_default_str();
  command->add_option("--mode", flags->mode, "pingpong, stream or idle")
      ->check(one_of({"pingpong", "stream", "idle"}))
      ->capture_default_str();
  command->add_option("-t,--threads", flags->threads, "Load-generator threads")
      ->check(count_between(1, 256))
      ->capture_default_str();
  command
      ->add_option("--server-pid", flags->server_pid,
                   "Charge this process with CPU per message and report its RSS")
      ->check(count_between(1, 4'194'304));
  command->add_flag("--json", flags->json, "One JSON object on stdout");
  command->callback([flags, &action] { action = [flags] { return run_bench(*flags); }; });
}

}  // namespace

void add_bench_command(CLI::App& app, Action& action) {
  auto* bench = app.add_subcommand("bench", "Load generator: throughput, latency, server cost");
  bench->require_subcommand(1);
  add_bench(*bench, action, clients::Workload::echo, "Load an echo server and measure it");
  add_bench(*bench, action, clients::Workload::transform,
            "Load a transform server with lines, each reply checked");
  add_bench(*bench, action, clients::Workload::chat,
            "N members in one room; each message fans out to all (deliveries/s)");
}

}  // namespace soket::cli
