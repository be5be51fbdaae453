#include "clients/process_sample.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace soket::clients {

std::optional<ProcessSample> sample_process(pid_t pid) {
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

}  // namespace soket::clients
