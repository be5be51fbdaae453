// What the tests and attackers read of a server process from /proc, header-only so that the
// attackers (which link no test library) share it.
#pragma once

#include <fstream>
#include <string>

namespace soket::test {

// The resident memory of process `pid` in KiB (VmRSS of /proc/PID/status), or -1.
inline long vm_rss_kib(long pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

}  // namespace soket::test
