// What the load generator's connections on one loop share: the settings, the counters the
// main thread reads for its status line, the histograms, and one read buffer.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <system_error>
#include <unordered_map>
#include <vector>

#include "clients/detail/precise_timers.h"
#include "clients/latency_histogram.h"
#include "clients/load_generator.h"

namespace soket::clients::detail {

class BenchLines;

// Verifies echoed bytes against a connection's periodic pattern.
std::vector<std::byte> make_pattern(std::size_t message_size, std::size_t index,
                                    std::size_t repeats);

// Why a connection (or a datagram) failed; each is counted apart, so the summary says why.
enum class FailureKind {
  connect,    // It never connected (refused, unreachable, no socket).
  closed,     // The server closed it (end of stream) while it was in use.
  io,         // A read or write failed after connecting (reset, ICMP error).
  lost,       // UDP: a datagram that never came back.
  integrity,  // A reply differed from what was sent.
};

struct alignas(64) BenchContext {
  explicit BenchContext(const LoadConfig& load, const std::atomic<bool>& measuring_flag)
      : config(load), measuring(measuring_flag), scratch(256 * 1024) {}

  bool counting() const { return measuring.load(std::memory_order_relaxed); }
  // A connection failed (or, for `lost`, a datagram): it leaves the open ones if it was
  // open, else it is settled (it will not connect). Loop-thread only.
  void count_failure(FailureKind kind, bool was_open, std::error_code error = {}) {
    count_problem(kind, error);
    if (kind == FailureKind::lost) return;
    (was_open ? open : settled).fetch_add(was_open ? -1 : 1, std::memory_order_relaxed);
  }
  // A failure that leaves the connection as it is (a lost or refused datagram).
  void count_problem(FailureKind kind, std::error_code error = {}) {
    counter(kind).fetch_add(1, std::memory_order_relaxed);
    if (error && !first_error) first_error = error;
  }
  std::atomic<std::uint64_t>& counter(FailureKind kind) {
    switch (kind) {
      case FailureKind::connect:
        return connect_failures;
      case FailureKind::closed:
        return closed_by_peer;
      case FailureKind::io:
        return io_errors;
      case FailureKind::lost:
        return lost_datagrams;
      case FailureKind::integrity:
        return integrity_failures;
    }
    return io_errors;
  }
  // `latency`: from its sending to this member's receiving it (nullopt: not known).
  void count_delivery(std::optional<Duration> latency) {
    deliveries.store(deliveries.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    if (latency) {
      const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(*latency).count();
      delivery_histogram.record(static_cast<std::uint64_t>(ns < 0 ? 0 : ns));
    }
  }
  void count_message(std::uint64_t payload_bytes) {
    messages.store(messages.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    bytes.store(bytes.load(std::memory_order_relaxed) + payload_bytes, std::memory_order_relaxed);
  }
  // `corrected`: from when the message was due (the same as `uncorrected` without --rate);
  // `uncorrected`: from when it actually went out. Loop-thread only.
  void record_latency(Duration corrected, Duration uncorrected) {
    const auto ns = [](Duration d) {
      const auto count = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
      return static_cast<std::uint64_t>(count < 0 ? 0 : count);
    };
    histogram.record(ns(corrected));
    if (config.rate > 0) uncorrected_histogram.record(ns(uncorrected));
    if (config.interval.count() > 0) interval_histogram.record(ns(corrected));
  }

  const LoadConfig& config;
  const std::atomic<bool>& measuring;
  std::vector<std::byte> scratch;
  LatencyHistogram histogram;              // Corrected under --rate.
  LatencyHistogram uncorrected_histogram;  // Only under --rate.
  LatencyHistogram interval_histogram;     // Since the last interval report.
  LatencyHistogram delivery_histogram;     // Chat: sender to each receiver.
  // Written by the loop's thread only; read by the main thread for progress.
  std::atomic<std::uint64_t> messages{0}, bytes{0}, integrity_failures{0};
  std::atomic<std::uint64_t> connect_failures{0}, closed_by_peer{0}, io_errors{0},
      lost_datagrams{0};
  std::atomic<std::uint64_t> deliveries{0};
  std::atomic<int> open{0}, settled{0};  // settled: connected or failed.
  std::atomic<int> ever_connected{0};
  std::error_code first_error;                // Loop thread; read after it is joined.
  PreciseTimers* pace_timers = nullptr;       // The load thread's, for --rate.
  std::vector<std::uint64_t> per_connection;  // Filled at the end, for fairness.
  // ncat --chat returns no line to its sender: the loop's members by name, so that the first
  // member to receive a message confirms it to its sender. Loop-thread only.
  std::unordered_map<std::string, BenchLines*> members_by_name;
};

}  // namespace soket::clients::detail
