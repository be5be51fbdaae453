// ProcessSample: another process's CPU time and resident memory, read from /proc/PID.
// The load generator uses it to charge a server with the CPU each message cost it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>

namespace soket::clients {

struct ProcessSample {
  std::chrono::nanoseconds cpu{0};  // utime + stime.
  std::uint64_t rss_bytes = 0;
};

// The process and its children, grandchildren and so on (a forking server's work is done
// there). Nullopt when the process is gone or /proc is unreadable.
std::optional<ProcessSample> sample_process(pid_t pid);

}  // namespace soket::clients
