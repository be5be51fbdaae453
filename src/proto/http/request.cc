#include "proto/http/request.h"

#include "proto/text/ascii.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace soket::proto::http {

std::string build_request(const RequestSpec& spec) {
  auto given = [&](std::string_view name) {
    return std::any_of(spec.headers.begin(), spec.headers.end(),
                       [&](const auto& h) { return text::iequals(h.first, name); });
  };
  std::string out = spec.method + " " + spec.url.target + " HTTP/1.1\r\n";
  auto add = [&](std::string_view name, std::string_view value) {
    if (!given(name)) out.append(name).append(": ").append(value).append("\r\n");
  };
  add("Host", spec.url.authority());
  add("User-Agent", spec.user_agent);
  add("Accept", spec.accept);
  if (spec.compressed) add("Accept-Encoding", "gzip, deflate");
  add("Connection", "close");
  if (!spec.body.empty() || spec.method == "POST" || spec.method == "PUT") {
    if (!spec.content_type.empty()) add("Content-Type", spec.content_type);
    add("Content-Length", std::to_string(spec.body.size()));
  }
  for (const auto& [name, value] : spec.headers)
    out.append(name).append(": ").append(value).append("\r\n");
  out.append("\r\n").append(spec.body);
  return out;
}

std::string basic_authorization(std::string_view user_password) {
  // Base64 (RFC 4648 section 4): every 3 bytes become 4 characters, '=' pads the last group.
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out = "Basic ";
  for (std::size_t at = 0; at < user_password.size(); at += 3) {
    const std::size_t n = std::min<std::size_t>(3, user_password.size() - at);
    std::uint32_t group = 0;
    for (std::size_t i = 0; i < 3; ++i) {
      const auto byte = i < n ? static_cast<unsigned char>(user_password[at + i]) : 0U;
      group = (group << 8) | byte;
    }
    for (std::size_t i = 0; i < 4; ++i)
      out += i <= n ? kAlphabet[(group >> (18 - 6 * i)) & 0x3F] : '=';
  }
  return out;
}

}  // namespace soket::proto::http
