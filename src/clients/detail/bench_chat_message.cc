#include "clients/detail/bench_chat_message.h"

#include <charconv>
#include <chrono>
#include <cstdint>

namespace soket::clients::detail {

std::string chat_message(std::string_view name, std::uint64_t number, TimePoint sent,
                         std::string_view text) {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(sent.time_since_epoch());
  std::string message(name);
  message += ": " + std::to_string(number) + " " + std::to_string(ns.count()) + " ";
  message += text;
  return message;
}

bool is_member_message(std::string_view line) {
  return line.size() > 1 && line[0] == 'm' && line.find(": ") != std::string_view::npos;
}

std::optional<Duration> sent_ago(std::string_view message) {
  const auto first = message.find(' ');
  const auto second = first == std::string_view::npos ? first : message.find(' ', first + 1);
  const auto third = second == std::string_view::npos ? second : message.find(' ', second + 1);
  if (third == std::string_view::npos) return std::nullopt;
  std::int64_t sent = 0;
  const auto digits = message.substr(second + 1, third - second - 1);
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), sent);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return Clock::now().time_since_epoch() - std::chrono::nanoseconds(sent);
}

}  // namespace soket::clients::detail
