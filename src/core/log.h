// Log: human-readable progress lines on stderr. Thread-safe: each line is one write.
#pragma once

#include <fmt/core.h>

#include <string_view>

namespace soket::log {

enum class Level { quiet, normal, verbose };

void set_level(Level level);
Level level();
void write_line(std::string_view line);

// Events a user normally wants to see: connections opened and closed.
template <typename... Args>
void info(fmt::format_string<Args...> format, Args&&... args) {
  if (level() >= Level::normal) write_line(fmt::format(format, std::forward<Args>(args)...));
}

// Detail for debugging: every read, write and timer.
template <typename... Args>
void debug(fmt::format_string<Args...> format, Args&&... args) {
  if (level() >= Level::verbose) write_line(fmt::format(format, std::forward<Args>(args)...));
}

// Problems are shown whatever the level: a quiet server still says why it dropped a client.
template <typename... Args>
void warn(fmt::format_string<Args...> format, Args&&... args) {
  write_line(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace soket::log
