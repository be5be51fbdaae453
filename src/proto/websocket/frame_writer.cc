#include "proto/websocket/frame_writer.h"

#include "proto/websocket/close_codes.h"

namespace soket::proto::websocket {
namespace {

// A control frame's payload is at most 125 bytes (RFC 6455 section 5.5).
constexpr std::size_t kMaxControlPayload = 125;

void append_be(std::string& out, std::uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

// The longest prefix of `text` of at most `limit` bytes that does not end inside a UTF-8
// sequence: a cut never moves onto a continuation byte (10xxxxxx).
std::string_view cut_on_boundary(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return text;
  std::size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

}  // namespace

//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-------+-+-------------+-------------------------------+
// |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
// |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
// |N|V|V|V|       |S|             |   (if payload len==126/127)   |
// +-+-+-+-+-------+-+-------------+-------------------------------+
// RFC 6455 section 5.2: FIN set, RSV clear, MASK clear (a server never masks, section 5.1),
// and the length in the shortest of its three forms, as that section requires.
void append_frame(std::string& out, Opcode opcode, std::string_view payload) {
  out.push_back(static_cast<char>(0x80 | static_cast<std::uint8_t>(opcode)));
  const std::uint64_t length = payload.size();
  if (length < 126) {
    out.push_back(static_cast<char>(length));
  } else if (length <= 0xFFFF) {
    out.push_back(static_cast<char>(126));
    append_be(out, length, 2);
  } else {
    out.push_back(static_cast<char>(127));
    append_be(out, length, 8);
  }
  out.append(payload);
}

std::string text_frame(std::string_view text) {
  std::string out;
  append_frame(out, Opcode::text, text);
  return out;
}

// A longer payload cannot be a control frame's; cut, the frame is still well formed (a ping
// this side accepted is never longer, so the cut only guards a caller's mistake).
std::string pong_frame(std::string_view payload) {
  std::string out;
  append_frame(out, Opcode::pong, payload.substr(0, kMaxControlPayload));
  return out;
}

// Section 5.5.1: the code (two bytes, network order), then a UTF-8 reason. The codes that
// stand for "no code" (1005, 1006, 1015; section 7.4.1) must not be sent: they give a Close
// without a payload, which the peer reads as 1005.
std::string close_frame(std::uint16_t code, std::string_view reason) {
  std::string payload;
  if (code != kCloseNoStatus && code != 1006 && code != 1015) {
    append_be(payload, code, 2);
    payload.append(cut_on_boundary(reason, kMaxControlPayload - 2));
  }
  std::string out;
  append_frame(out, Opcode::close, payload);
  return out;
}

}  // namespace soket::proto::websocket
