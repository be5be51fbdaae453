#include "cli/http_output.h"

#include <fmt/core.h>

#include <cstdio>

namespace soket::cli {
namespace {

std::string size_text(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  return fmt::format("{:.1f} {}", bytes, units[unit]);
}

}  // namespace

Result<void> StdoutSink::write(std::string_view bytes) {
  wrote_ = wrote_ || !bytes.empty();
  if (std::fwrite(bytes.data(), 1, bytes.size(), stdout) != bytes.size())
    return last_system_error();
  return {};
}

std::function<void(const clients::HttpProgress&)> progress_bar() {
  return [start = Clock::now(), last = TimePoint{}](const clients::HttpProgress& p) mutable {
    const TimePoint now = Clock::now();
    const bool finished = p.total >= 0 && p.received >= static_cast<std::uint64_t>(p.total);
    if (now - last < std::chrono::milliseconds(100) && !finished) return;
    last = now;
    const double seconds = std::max(1e-3, std::chrono::duration<double>(now - start).count());
    const double rate = static_cast<double>(p.received) / seconds;
    std::string line = "\r  " + size_text(static_cast<double>(p.received));
    if (p.total > 0) {
      const double left =
          (static_cast<double>(p.total) - static_cast<double>(p.received)) / std::max(rate, 1.0);
      line += fmt::format(
          " of {}  {:3.0f}%  {}/s  ETA {}:{:02}", size_text(static_cast<double>(p.total)),
          100.0 * static_cast<double>(p.received) / static_cast<double>(p.total), size_text(rate),
          static_cast<long>(left) / 60, static_cast<long>(left) % 60);
    } else {
      line += fmt::format("  {}/s", size_text(rate));
    }
    std::fputs((line + "   ").c_str(), stderr);
  };
}

std::string terminal_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7F) continue;
    out += c;
  }
  return out;
}

}  // namespace soket::cli
