// Status codes of a WebSocket Close frame (RFC 6455 section 7.4.1).
#pragma once

#include <cstdint>

namespace soket::proto::websocket {

inline constexpr std::uint16_t kCloseNormal = 1000;
inline constexpr std::uint16_t kCloseGoingAway = 1001;
inline constexpr std::uint16_t kCloseProtocolError = 1002;
inline constexpr std::uint16_t kCloseUnsupportedData = 1003;
inline constexpr std::uint16_t kCloseNoStatus = 1005;     // Never sent: "the frame had no code".
inline constexpr std::uint16_t kCloseInvalidData = 1007;  // Not UTF-8 in a text message.
inline constexpr std::uint16_t kClosePolicy = 1008;
inline constexpr std::uint16_t kCloseTooBig = 1009;
inline constexpr std::uint16_t kCloseInternalError = 1011;

// True for a code a peer may send in a Close frame (RFC 6455 section 7.4: 1000-1003,
// 1007-1011, and 3000-4999 for libraries and applications).
bool is_valid_close_code(std::uint16_t code);

}  // namespace soket::proto::websocket
