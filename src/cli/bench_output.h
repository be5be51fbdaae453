// The words and the JSON of `soket bench`: its summary, its interval lines, and why it
// failed. Formatting only; the load generator measures.
#pragma once

#include <optional>
#include <string>

#include "clients/load_generator.h"

namespace soket::cli {

// What the summary's first line names.
struct BenchDescription {
  std::string workload, transport, mode, target;
  int connections = 0;
  std::size_t message_size = 0;
  int pipeline = 1;
  int threads = 1;
  double rate = 0;
};

// A --rate as a person typed it.
std::string rate_number(double rate);
// One line per interval, as iperf3 prints them while it runs.
std::string interval_line(const clients::IntervalReport& interval);
std::string bench_text(const BenchDescription& d, const clients::LoadReport& r);
// One JSON object on one line (scripts collect them as JSON Lines).
std::string bench_json(const BenchDescription& d, const clients::LoadReport& r);
// Why the run failed, in one line: its errors by cause and its integrity failures; nullopt
// when nothing failed.
std::optional<std::string> bench_failure(const clients::LoadReport& r, const std::string& target,
                                         int connections);

}  // namespace soket::cli
