// The load generator behind `soket bench`: many connections on T event loops, each checking
// every byte that comes back, with latency in a histogram and the server's CPU time charged
// per message. No allocation per message: each connection sends from a pattern made once.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <system_error>

#include "core/clock.h"
#include "core/result.h"
#include "net/resolver.h"

namespace soket::clients {

enum class LoadMode { pingpong, stream, idle };
// echo: bytes come back as sent. transform: each line comes back transformed (seed 002).
// chat: members of one room; each message fans out to every member (seed 004).
enum class Workload { echo, transform, chat };

struct LoadProgress {
  double seconds = 0;
  std::uint64_t messages = 0;  // Counted in the measured window only.
  std::uint64_t bytes = 0;
  int open = 0;
  bool measuring = false;
};

struct LoadConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  net::Transport transport = net::Transport::tcp;
  Workload workload = Workload::echo;
  LoadMode mode = LoadMode::pingpong;
  std::string password;  // For the chat room.
  int connections = 50;
  std::size_t message_size = 64;
  int pipeline = 1;
  int threads = 1;
  Duration duration = std::chrono::seconds(5);
  Duration warmup = std::chrono::seconds(1);
  std::optional<pid_t> server_pid;
  // Called about once a second on the calling thread, e.g. for a live status line.
  std::function<void(const LoadProgress&)> on_progress;
};

struct LoadReport {
  double seconds = 0;
  std::uint64_t messages = 0;    // Round trips completed (a chat message back to its author).
  std::uint64_t bytes = 0;       // Payload bytes that came back, one direction.
  std::uint64_t deliveries = 0;  // Chat: message lines received by all members together.
  double deliveries_per_second = 0;
  double messages_per_second = 0;
  double megabytes_per_second = 0;
  std::uint64_t p50_ns = 0, p99_ns = 0, p999_ns = 0;
  double fairness = 0;  // The slowest connection's messages over the mean, 0..1.
  std::uint64_t errors = 0;
  std::uint64_t integrity_failures = 0;
  int connected = 0;
  std::optional<double> server_cpu_ns_per_message;
  std::optional<std::uint64_t> server_rss_bytes;
  std::optional<double> server_rss_bytes_per_connection;  // Idle mode.
};

// Errors: the host did not resolve, or no connection at all could be made.
Result<LoadReport> run_load(const LoadConfig& config);

}  // namespace soket::clients
