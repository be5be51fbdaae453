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
#include <vector>

#include "clients/latency_histogram.h"
#include "core/clock.h"
#include "core/result.h"
#include "net/resolver.h"

namespace soket::clients {

enum class LoadMode { pingpong, stream, idle };
// echo: bytes come back as sent. transform: each line comes back transformed (seed 002).
// chat: members of one room; each message fans out to every member (seed 004).
enum class Workload { echo, transform, chat };
// What the chat room's server speaks: soket's chat protocol (chat server), Redis pub/sub
// (each member SUBSCRIBEs on one connection and PUBLISHes on another), or ncat --chat (no
// login; each line relayed to every other member as "<userN> line", never to its sender).
enum class ChatProtocol { soket, redis, ncat };

struct LoadProgress {
  double seconds = 0;
  std::uint64_t messages = 0;  // Counted in the measured window only.
  std::uint64_t bytes = 0;
  int open = 0;
  bool measuring = false;
};

// A latency distribution's figures, in nanoseconds.
struct LatencySummary {
  std::uint64_t count = 0;
  std::uint64_t min_ns = 0, max_ns = 0;
  double mean_ns = 0, stddev_ns = 0;
  std::uint64_t p50_ns = 0, p90_ns = 0, p99_ns = 0, p999_ns = 0, p9999_ns = 0;
  static LatencySummary of(const LatencyHistogram& histogram);
};

// One slice of the measured window; `start` and `end` are seconds into it.
struct IntervalReport {
  double start = 0, end = 0;
  std::uint64_t messages = 0, bytes = 0;
  double messages_per_second = 0, megabytes_per_second = 0;
  LatencySummary latency;
};

struct LoadConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  // Chat: more servers of the same room on the same host (--redis); member i joins the
  // (i mod n)-th of port, more_ports... .
  std::vector<std::uint16_t> more_ports;
  net::Transport transport = net::Transport::tcp;
  Workload workload = Workload::echo;
  LoadMode mode = LoadMode::pingpong;
  std::string password;  // For the chat room.
  ChatProtocol chat_protocol = ChatProtocol::soket;
  int connections = 50;
  std::size_t message_size = 64;
  int pipeline = 1;
  int threads = 1;
  Duration duration = std::chrono::seconds(5);
  Duration warmup = std::chrono::seconds(1);
  std::optional<pid_t> server_pid;
  // Messages per second over all connections (pingpong only); 0: as fast as replies come.
  // Latency is then measured from when each message was due (wrk2's correction).
  double rate = 0;
  // Report the measured window in slices of this length (iperf3's -i); 0: no slices.
  Duration interval{0};
  // Called about once a second on the calling thread, e.g. for a live status line.
  std::function<void(const LoadProgress&)> on_progress;
  // Called on the calling thread as each interval's figures are known.
  std::function<void(const IntervalReport&)> on_interval;
};

struct LoadReport {
  double seconds = 0;
  std::uint64_t messages = 0;    // Round trips completed (a chat message back to its author).
  std::uint64_t bytes = 0;       // Payload bytes that came back, one direction.
  std::uint64_t deliveries = 0;  // Chat: message lines received by all members together.
  // Chat: from when a member sent a message to when each other member received it.
  std::optional<LatencySummary> delivery_latency;
  double deliveries_per_second = 0;
  double messages_per_second = 0;
  double megabytes_per_second = 0;
  LatencySummary latency;                     // From when each message was due.
  std::optional<LatencySummary> uncorrected;  // Under --rate: from when each went out.
  LatencyHistogram histogram;                 // The corrected distribution, for files.
  std::vector<IntervalReport> intervals;
  double fairness = 0;  // The slowest connection's messages over the mean, 0..1.
  // errors = connect_failures + closed_by_peer + io_errors + lost_datagrams.
  std::uint64_t errors = 0;
  std::uint64_t connect_failures = 0;  // Connections that were never made.
  std::uint64_t closed_by_peer = 0;    // Connections the server closed while in use.
  std::uint64_t io_errors = 0;         // Resets and other read/write failures.
  std::uint64_t lost_datagrams = 0;    // UDP: sent and never answered within a second.
  std::error_code first_error;         // The cause of the first connect or I/O error.
  std::uint64_t integrity_failures = 0;
  int connected = 0;
  // Under --rate: the messages the schedule called for in the window, and whether at least
  // 95 % of them completed.
  double scheduled_messages = 0;
  bool rate_reached = true;
  std::optional<double> server_cpu_ns_per_message;
  std::optional<std::uint64_t> server_rss_bytes;
  std::optional<double> server_rss_bytes_per_connection;  // Idle mode.
};

// Errors: the host did not resolve, or no connection at all could be made: the first
// failure's cause (connection_refused ...; permission_denied when a chat room refused the
// login).
Result<LoadReport> run_load(const LoadConfig& config);

}  // namespace soket::clients
