#include "core/log.h"

#include <unistd.h>

#include <atomic>
#include <string>

namespace soket::log {
namespace {
std::atomic<Level> current_level{Level::normal};
}

void set_level(Level level) {
  current_level.store(level, std::memory_order_relaxed);
}
Level level() {
  return current_level.load(std::memory_order_relaxed);
}

void write_line(std::string_view line) {
  // One write(2) per line keeps lines from different loop threads from interleaving.
  std::string out;
  out.reserve(line.size() + 1);
  out.append(line);
  out.push_back('\n');
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::write(STDERR_FILENO, out.data() + done, out.size() - done);
    if (n <= 0) return;  // stderr closed: logging must never take the program down.
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace soket::log
