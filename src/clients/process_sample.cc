#include "clients/process_sample.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace soket::clients {

namespace {

std::optional<ProcessSample> sample_one(pid_t pid);

// A forking server (socat fork) serves from its children: their time is the server's too.
void add_children(pid_t pid, ProcessSample& total, int depth) {
  if (depth > 4) return;
  std::ifstream children("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) +
                         "/children");
  pid_t child;
  while (children >> child) {
    if (auto sample = sample_one(child)) {
      total.cpu += sample->cpu;
      total.rss_bytes += sample->rss_bytes;
      add_children(child, total, depth + 1);
    }
  }
}

}  // namespace

std::optional<ProcessSample> sample_process(pid_t pid) {
  auto total = sample_one(pid);
  if (total) add_children(pid, *total, 0);
  return total;
}

namespace {

std::optional<ProcessSample> sample_one(pid_t pid) {
  const std::string base = "/proc/" + std::to_string(pid);
  std::ifstream stat_file(base + "/stat");
  std::string stat;
  if (!std::getline(stat_file, stat)) return std::nullopt;
  // The command name (field 2) may hold spaces and parentheses: count fields after its ')'.
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(close + 2));
  std::string skip;
  for (int field = 3; field < 14; ++field) fields >> skip;
  std::uint64_t utime = 0, stime = 0;
  if (!(fields >> utime >> stime)) return std::nullopt;
  const auto ticks_per_second = static_cast<std::uint64_t>(::sysconf(_SC_CLK_TCK));

  std::ifstream statm_file(base + "/statm");
  std::uint64_t size_pages = 0, resident_pages = 0;
  if (!(statm_file >> size_pages >> resident_pages)) return std::nullopt;

  ProcessSample sample;
  sample.cpu = std::chrono::nanoseconds((utime + stime) * 1'000'000'000ull / ticks_per_second);
  sample.rss_bytes = resident_pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  return sample;
}

}  // namespace
}  // namespace soket::clients
