// soket bench echo|transform|chat: load a server and report throughput, latency, fairness
// and, with --server-pid, the server's CPU time per message and its memory; --rate paces
// the load (wrk2), --interval reports slices (iperf3), --histogram and --plot write the
// latency distribution. Exit 1 if any connection or message failed.
#include <fmt/core.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>

#include "cli/bench_output.h"
#include "cli/commands.h"
#include "cli/failure.h"
#include "cli/option_checks.h"
#include "cli/server_flags.h"
#include "clients/histogram_text.h"
#include "clients/latency_plot.h"
#include "clients/load_generator.h"
#include "net/output_file.h"

namespace soket::cli {
namespace {

struct BenchFlags {
  clients::Workload workload = clients::Workload::echo;
  std::string password;
  std::string protocol = "soket";  // bench chat: what the room's server speaks.
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
  double rate = 0;
  double interval = 0;
  std::string histogram;
  std::string plot;
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

// The files --histogram and --plot name, opened before the run so that a bad path is known at
// once rather than after minutes of load. Written through net::OutputFile as `http -o` is:
// nothing appears (and nothing is emptied) unless the run finishes and the file is complete.
struct BenchFiles {
  std::optional<net::OutputFile> histogram, plot;
};

std::optional<Failure> open_output(const std::string& path, const char* flag,
                                   std::optional<net::OutputFile>& out) {
  if (path.empty()) return std::nullopt;
  auto file = net::OutputFile::open(path);
  if (!file) return output_failure(path, file.error(), flag);
  out.emplace(std::move(*file));
  return std::nullopt;
}

std::optional<Failure> write_output(std::optional<net::OutputFile>& file, const std::string& path,
                                    const char* flag, const std::string& text) {
  if (!file) return std::nullopt;
  if (auto written = file->write(text); !written) {
    return output_failure(path, written.error(), flag);
  }
  if (auto committed = file->commit(); !committed) {
    return output_failure(path, committed.error(), flag);
  }
  return std::nullopt;
}

std::optional<Failure> check_flags(const BenchFlags& flags) {
  if (flags.workload != clients::Workload::echo && flags.udp) {
    return usage_failure("bench transform and bench chat run over TCP");
  }
  if (flags.workload != clients::Workload::echo && flags.mode == "stream") {
    return usage_failure("--mode stream is for bench echo");
  }
  const bool soket_room = flags.workload == clients::Workload::chat && flags.protocol == "soket";
  if (soket_room && flags.password.empty()) {
    return usage_failure("bench chat needs the room's password: --password or SOKET_CHAT_PASSWORD");
  }
  if (flags.protocol == "ncat" && flags.connections < 2 * flags.threads) {
    return usage_failure(
        "bench chat --protocol ncat needs at least 2 members (-c) per load thread (-t): ncat "
        "--chat never returns a message to its sender, so another member on its thread "
        "confirms it");
  }
  if (flags.udp && flags.mode == "stream") {
    return usage_failure("--mode stream is for TCP; UDP has pingpong and idle");
  }
  if (flags.udp && flags.size > 65507) {
    return usage_failure("--size is at most 65507 bytes with --udp (one datagram)");
  }
  if (flags.rate > 0 && flags.mode != "pingpong") {
    return usage_failure("--rate paces request and reply (--mode pingpong), not " + flags.mode);
  }
  if (flags.interval > 0 && flags.interval > flags.duration) {
    return usage_failure("--interval is longer than the run (-d)");
  }
  return std::nullopt;
}

BenchDescription describe(const BenchFlags& f) {
  const bool v6 = f.host.find(':') != std::string::npos;
  return {workload_name(f.workload),
          f.udp ? "udp" : "tcp",
          f.mode,
          v6 ? fmt::format("[{}]:{}", f.host, f.port) : fmt::format("{}:{}", f.host, f.port),
          f.connections,
          f.size,
          f.pipeline,
          f.threads,
          f.rate};
}

// Prints the results and writes the files; the exit code says whether anything failed.
int finish_bench(const BenchFlags& flags, BenchFiles& files, const clients::LoadReport& report,
                 const std::string& target) {
  const auto description = describe(flags);
  fmt::print("{}", flags.json ? bench_json(description, report) : bench_text(description, report));
  std::fflush(stdout);
  if (auto failure = write_output(files.histogram, flags.histogram, "--histogram",
                                  clients::hdr_percentile_text(report.histogram))) {
    return cli::report(*failure);
  }
  const auto title = fmt::format("soket bench {}: {}, {} connections{}", description.workload,
                                 description.target, flags.connections,
                                 flags.rate > 0 ? ", " + rate_number(flags.rate) + " msgs/s" : "");
  if (auto failure = write_output(files.plot, flags.plot, "--plot",
                                  clients::latency_plot_svg(report.histogram, title))) {
    return cli::report(*failure);
  }
  if (auto line = bench_failure(report, target, flags.connections)) {
    return cli::report({kExitFailure, *line});
  }
  return kExitOk;
}

// -p PORT, or for bench chat PORT,PORT,...: the servers of one room (chat server --redis),
// which the members join in turn.
std::optional<Failure> parse_ports(const BenchFlags& flags, clients::LoadConfig& config) {
  std::vector<std::string> words;
  std::size_t start = 0;
  for (std::size_t comma; (comma = flags.port.find(',', start)) != std::string::npos;
       start = comma + 1) {
    words.push_back(flags.port.substr(start, comma - start));
  }
  words.push_back(flags.port.substr(start));
  if (words.size() > 1 &&
      (flags.workload != clients::Workload::chat || flags.protocol != "soket")) {
    return usage_failure(
        "only bench chat of a soket room takes several ports (-p 5001,5002: one room's servers)");
  }
  if (auto failure = parse_port_flag(words[0], config.port)) return failure;
  for (std::size_t i = 1; i < words.size(); ++i) {
    std::uint16_t port = 0;
    if (auto failure = parse_port_flag(words[i], port)) return failure;
    config.more_ports.push_back(port);
  }
  return std::nullopt;
}

int run_bench(const BenchFlags& flags) {
  clients::LoadConfig config;
  if (auto failure = parse_ports(flags, config)) return report(*failure);
  if (auto failure = check_flags(flags)) return report(*failure);
  BenchFiles files;
  if (auto failure = open_output(flags.histogram, "--histogram", files.histogram))
    return report(*failure);
  if (auto failure = open_output(flags.plot, "--plot", files.plot)) return report(*failure);
  config.host = flags.host;
  config.transport = flags.udp ? net::Transport::udp : net::Transport::tcp;
  config.workload = flags.workload;
  config.password = flags.password;
  config.chat_protocol = flags.protocol == "redis"  ? clients::ChatProtocol::redis
                         : flags.protocol == "ncat" ? clients::ChatProtocol::ncat
                                                    : clients::ChatProtocol::soket;
  config.mode = flags.mode == "stream" ? clients::LoadMode::stream
                : flags.mode == "idle" ? clients::LoadMode::idle
                                       : clients::LoadMode::pingpong;
  config.connections = flags.connections;
  config.message_size = flags.size;
  config.pipeline = flags.pipeline;
  config.threads = flags.threads;
  config.duration = from_seconds(flags.duration);
  config.warmup = from_seconds(flags.warmup);
  config.rate = flags.rate;
  config.interval = from_seconds(flags.interval);
  if (flags.server_pid > 0) config.server_pid = flags.server_pid;
  const bool live = !flags.json && ::isatty(STDERR_FILENO) != 0;
  if (live) config.on_progress = print_progress;
  if (!flags.json && flags.interval > 0) {
    config.on_interval = [live](const clients::IntervalReport& interval) {
      if (live) fmt::print(stderr, "\r\033[K");  // Clears the status line first.
      fmt::print("{}", interval_line(interval));
      std::fflush(stdout);
    };
  }
  raise_open_file_limit();

  auto result = clients::run_load(config);
  if (live) fmt::print(stderr, "\n");
  const auto target = describe_target(flags.host, config.port, config.transport);
  if (!result && flags.workload == clients::Workload::chat &&
      result.error() == std::errc::permission_denied) {
    return report(
        {kExitRejected, fmt::format("the chat room at {} refused every member's login: check "
                                    "--password (or SOKET_CHAT_PASSWORD), or the room is full",
                                    target)});
  }
  if (!result) return report(client_failure(result.error(), target, config.duration));
  return finish_bench(flags, files, *result, target);
}

void add_bench(CLI::App& bench, Action& action, clients::Workload workload, const char* help) {
  auto* command = bench.add_subcommand(workload_name(workload), help);
  auto flags = std::make_shared<BenchFlags>();
  flags->workload = workload;
  if (workload == clients::Workload::chat) {
    if (const char* password = std::getenv("SOKET_CHAT_PASSWORD")) flags->password = password;
    command->add_option("--password", flags->password,
                        "The room's password (default: SOKET_CHAT_PASSWORD)");
    command
        ->add_option("--protocol", flags->protocol,
                     "What the room's server speaks: soket (soket chat server), redis (Redis "
                     "pub/sub: each member SUBSCRIBEs, and PUBLISHes on a second connection), "
                     "ncat (ncat --chat)")
        ->check(one_of({"soket", "redis", "ncat"}))
        ->capture_default_str();
  }
  command
      ->add_option("-p,--port", flags->port,
                   workload == clients::Workload::chat
                       ? "Port of the server, or PORT,PORT,... for one room's servers (--redis)"
                       : "Port of the server")
      ->required();
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
  command
      ->add_option("--rate", flags->rate,
                   "Messages per second in all (pingpong); latency counts from when each "
                   "was due, as wrk2's does")
      ->check(number_between(0.001, 1e9, "messages per second"));
  command
      ->add_option("--interval", flags->interval,
                   "Report every SECONDS of the measured window (as iperf3 -i)")
      ->check(seconds_between(0.1, 86400));
  command->add_option("--histogram", flags->histogram,
                      "Write the latency distribution to FILE (HdrHistogram's text format, ms)");
  command->add_option("--plot", flags->plot,
                      "Draw latency by percentile into FILE (SVG, as HdrHistogram's plotter)");
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
