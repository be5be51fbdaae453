// Frames a server sends (RFC 6455 section 5.2): never masked, each message in one frame.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace soket::proto::websocket {

enum class Opcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

// Appends one final, unmasked frame with the shortest length form.
void append_frame(std::string& out, Opcode opcode, std::string_view payload);
std::string text_frame(std::string_view text);
std::string pong_frame(std::string_view payload);  // `payload` at most 125 bytes (else cut).
// A Close frame with `code` and a reason cut to fit 125 bytes (on a UTF-8 boundary). A code
// that means "no code" (kCloseNoStatus, 1006, 1015) gives a Close with an empty payload.
std::string close_frame(std::uint16_t code, std::string_view reason = {});

}  // namespace soket::proto::websocket
