// What the load generator's connections on one loop share: the settings, the counters the
// main thread reads for its status line, the histogram, and one read buffer.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "clients/latency_histogram.h"
#include "clients/load_generator.h"

namespace soket::clients::detail {

// Verifies echoed bytes against a connection's periodic pattern.
std::vector<std::byte> make_pattern(std::size_t message_size, std::size_t index,
                                    std::size_t repeats);

struct alignas(64) BenchContext {
  explicit BenchContext(const LoadConfig& load, const std::atomic<bool>& measuring_flag)
      : config(load), measuring(measuring_flag), scratch(256 * 1024) {}

  bool counting() const { return measuring.load(std::memory_order_relaxed); }
  // A connection failed: an error or an integrity failure; it leaves the open ones if it was
  // open, else it is settled (it will not connect).
  void count_failure(bool integrity, bool was_open) {
    (integrity ? integrity_failures : errors).fetch_add(1, std::memory_order_relaxed);
    (was_open ? open : settled).fetch_add(was_open ? -1 : 1, std::memory_order_relaxed);
  }
  void count_delivery() {
    deliveries.store(deliveries.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  void count_message(std::uint64_t payload_bytes) {
    messages.store(messages.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    bytes.store(bytes.load(std::memory_order_relaxed) + payload_bytes, std::memory_order_relaxed);
  }

  const LoadConfig& config;
  const std::atomic<bool>& measuring;
  std::vector<std::byte> scratch;
  LatencyHistogram histogram;
  // Written by the loop's thread only; read by the main thread for progress.
  std::atomic<std::uint64_t> messages{0}, bytes{0}, errors{0}, integrity_failures{0};
  std::atomic<std::uint64_t> deliveries{0};
  std::atomic<int> open{0}, settled{0};  // settled: connected or failed.
  std::atomic<int> ever_connected{0};
  std::vector<std::uint64_t> per_connection;  // Filled at the end, for fairness.
};

}  // namespace soket::clients::detail
