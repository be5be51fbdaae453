#include "redis/endpoint.h"

#include <charconv>

namespace soket::redis {
namespace {

constexpr std::string_view kScheme = "redis://";
constexpr int kMaxDatabase = 1'000'000;  // Redis's own bound is its `databases` setting.

template <typename Number>
bool parse_number(std::string_view text, Number& value, Number low, Number high) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() && value >= low && value <= high;
}

}  // namespace

std::string Endpoint::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::optional<Endpoint> parse_url(std::string_view url, std::string& error) {
  if (url.substr(0, kScheme.size()) != kScheme) {
    error = "a Redis URL starts with redis:// (redis://HOST:PORT[/DB])";
    return std::nullopt;
  }
  std::string_view rest = url.substr(kScheme.size());
  Endpoint endpoint;
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    if (!parse_number(rest.substr(slash + 1), endpoint.database, 0, kMaxDatabase)) {
      error = "the database after '/' must be a number, as in redis://HOST:PORT/0";
      return std::nullopt;
    }
    rest = rest.substr(0, slash);
  }
  std::string_view port;
  bool has_port = false;
  if (!rest.empty() && rest.front() == '[') {  // [::1]:6379
    const auto close = rest.find(']');
    if (close == std::string_view::npos) {
      error = "an IPv6 address needs its closing ']', as in redis://[::1]:6379";
      return std::nullopt;
    }
    endpoint.host = std::string(rest.substr(1, close - 1));
    rest = rest.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') {
      error = "after ']' comes ':PORT'";
      return std::nullopt;
    }
    has_port = !rest.empty();
    if (has_port) port = rest.substr(1);
  } else {
    const auto colon = rest.rfind(':');
    endpoint.host = std::string(rest.substr(0, colon));
    has_port = colon != std::string_view::npos;
    if (has_port) port = rest.substr(colon + 1);
    if (endpoint.host.find(':') != std::string::npos) {
      error = "write an IPv6 address in brackets, as in redis://[::1]:6379";
      return std::nullopt;
    }
  }
  if (endpoint.host.empty()) {
    error = "the Redis URL names no host (redis://HOST:PORT)";
    return std::nullopt;
  }
  if (has_port && !parse_number<std::uint16_t>(port, endpoint.port, 1, 65535)) {
    error = "the Redis port must be a number from 1 to 65535";
    return std::nullopt;
  }
  return endpoint;
}

}  // namespace soket::redis
