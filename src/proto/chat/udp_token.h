// The UDP member token. A UDP source address can be forged, so the server gives each UDP
// member a secret at USERNAME OK (its own datagram, "TOKEN <hex>") and the member starts each
// later datagram with it: "TOKEN <hex> <line>". A forger who cannot read the member's
// traffic cannot post as it or make it leave. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace soket::proto::chat {

inline constexpr std::size_t kTokenHexDigits = 32;  // 128 random bits.

struct TokenedLine {
  std::optional<std::string_view> token;  // Absent when the datagram carries none.
  std::string_view line;
};

// Splits "TOKEN <32 hex> <line>" (or "TOKEN <32 hex>" alone, an empty line); any other
// datagram is a line without a token. A trailing LF or CRLF is not part of the line.
TokenedLine split_token(std::string_view datagram);
// "TOKEN <token> <line>".
std::string with_token(std::string_view token, std::string_view line);
// The token of the server's "TOKEN <hex>" line, or nullopt if `line` is not one.
std::optional<std::string> token_of_reply(std::string_view line);

}  // namespace soket::proto::chat
