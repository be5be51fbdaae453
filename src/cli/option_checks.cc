#include "cli/option_checks.h"

#include <fmt/core.h>

#include <charconv>
#include <cmath>
#include <optional>
#include <string_view>
#include <system_error>

namespace soket::cli {
namespace {

// The whole text must be the number: "5s", " 5" and "" are not numbers.
template <typename T>
std::optional<T> parse_whole(std::string_view text) {
  T value{};
  const auto* end = text.data() + text.size();
  auto [ptr, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc{} || ptr != end || text.empty()) return std::nullopt;
  return value;
}

std::optional<double> parse_seconds(std::string_view text) {
  auto value = parse_whole<double>(text);
  if (!value || !std::isfinite(*value)) return std::nullopt;
  return value;
}

std::string with_unit(const std::string& text, const std::string& unit) {
  return unit.empty() ? text : text + " " + unit;
}

}  // namespace

std::string number_text(double value) {
  return fmt::format("{}", value);
}

std::string bytes_text(std::uint64_t bytes) {
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
  if (bytes == 1) return "1 byte";
  if (bytes == 0 || bytes % 1024 != 0) return fmt::format("{} bytes", bytes);
  std::uint64_t value = bytes / 1024;
  std::size_t unit = 0;
  while (value % 1024 == 0 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  return fmt::format("{} {}", value, kUnits[unit]);
}

CLI::Validator number_between(double low, double high, std::string unit) {
  const std::string range =
      with_unit(fmt::format("{} and {}", number_text(low), number_text(high)), unit);
  return CLI::Validator(
      [low, high, range, unit](std::string& text) -> std::string {
        const auto value = parse_seconds(text);
        if (!value) {
          return fmt::format("must be a number{}, not '{}'", unit.empty() ? "" : " of " + unit,
                             text);
        }
        if (*value < low || *value > high) return "must be between " + range;
        return {};
      },
      with_unit(fmt::format("{}..{}", number_text(low), number_text(high)), unit),
      "number_between");
}

CLI::Validator seconds_between(double low, double high) {
  return number_between(low, high, "seconds");
}

CLI::Validator count_between(std::int64_t low, std::int64_t high, std::string unit) {
  const std::string range = with_unit(fmt::format("{} and {}", low, high), unit);
  return CLI::Validator(
      [low, high, range, unit](std::string& text) -> std::string {
        const auto value = parse_whole<std::int64_t>(text);
        if (!value) {
          return fmt::format("must be a whole number{}, not '{}'",
                             unit.empty() ? "" : " of " + unit, text);
        }
        if (*value < low || *value > high) return "must be between " + range;
        return {};
      },
      with_unit(fmt::format("{}..{}", low, high), unit), "count_between");
}

CLI::Validator bytes_between(std::uint64_t low, std::uint64_t high) {
  const std::string range =
      fmt::format("{} and {} bytes ({} to {})", low, high, bytes_text(low), bytes_text(high));
  return CLI::Validator(
      [low, high, range](std::string& text) -> std::string {
        const auto value = parse_whole<std::uint64_t>(text);
        if (!value) return fmt::format("must be a whole number of bytes, not '{}'", text);
        if (*value < low || *value > high) return "must be between " + range;
        return {};
      },
      fmt::format("{}..{}", bytes_text(low), bytes_text(high)), "bytes_between");
}

CLI::Validator one_of(std::vector<std::string> choices) {
  std::string list;
  for (const auto& choice : choices) list += (list.empty() ? "" : ", ") + choice;
  return CLI::Validator(
      [choices, list](std::string& text) -> std::string {
        for (const auto& choice : choices) {
          if (text == choice) return {};
        }
        return "must be one of " + list;
      },
      "{" + list + "}", "one_of");
}

}  // namespace soket::cli
