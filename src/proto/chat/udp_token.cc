#include "proto/chat/udp_token.h"

#include <algorithm>

namespace soket::proto::chat {
namespace {

constexpr std::string_view kToken = "TOKEN ";

bool is_hex_token(std::string_view text) {
  return text.size() == kTokenHexDigits && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string_view without_line_end(std::string_view text) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return text;
}

}  // namespace

TokenedLine split_token(std::string_view datagram) {
  datagram = without_line_end(datagram);
  if (datagram.substr(0, kToken.size()) != kToken) return {std::nullopt, datagram};
  const auto rest = datagram.substr(kToken.size());
  const auto token = rest.substr(0, kTokenHexDigits);
  if (!is_hex_token(token)) return {std::nullopt, datagram};
  if (rest.size() == kTokenHexDigits) return {token, {}};
  if (rest[kTokenHexDigits] != ' ') return {std::nullopt, datagram};
  return {token, rest.substr(kTokenHexDigits + 1)};
}

std::string with_token(std::string_view token, std::string_view line) {
  std::string datagram(kToken);
  datagram.append(token).push_back(' ');
  datagram.append(line);
  return datagram;
}

std::optional<std::string> token_of_reply(std::string_view line) {
  line = without_line_end(line);
  if (line.substr(0, kToken.size()) != kToken) return std::nullopt;
  const auto token = line.substr(kToken.size());
  if (!is_hex_token(token)) return std::nullopt;
  return std::string(token);
}

}  // namespace soket::proto::chat
