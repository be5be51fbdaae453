#include "proto/websocket/message_reader.h"

#include <span>

#include "core/byte_reader.h"
#include "core/bytes.h"
#include "proto/websocket/close_codes.h"
#include "proto/websocket/detail/utf8_stream.h"
#include "proto/websocket/frame_writer.h"

namespace soket::proto::websocket {
namespace {

constexpr std::uint8_t kFin = 0x80;
constexpr std::uint8_t kReserved = 0x70;  // RSV1-3: no extension is agreed (section 5.2).
constexpr std::uint8_t kMasked = 0x80;
constexpr std::uint64_t kMaxControlPayload = 125;  // Section 5.5.

bool is_control(std::uint8_t opcode) {
  return (opcode & 0x8) != 0;
}

// Section 5.3: each byte is XORed with byte i mod 4 of the key.
void unmask_into(std::string& out, std::span<const std::byte> payload,
                 std::span<const std::byte> key) {
  out.reserve(out.size() + payload.size());
  for (std::size_t i = 0; i < payload.size(); ++i) {
    out.push_back(static_cast<char>(std::to_integer<unsigned char>(payload[i] ^ key[i % 4])));
  }
}

// Payload len: 0-125 is the length; 126, a 16-bit length follows; 127, a 64-bit one. The
// shortest form is not enforced: a longer one is unambiguous and costs the peer, not us.
std::optional<std::uint64_t> read_length(ByteReader& reader, std::uint8_t length7) {
  if (length7 < 126) return length7;
  if (length7 == 126) return reader.u16_be();
  const auto high = reader.u32_be();
  const auto low = high ? reader.u32_be() : std::nullopt;
  if (!low) return std::nullopt;
  return (std::uint64_t{*high} << 32) | *low;
}

}  // namespace

struct MessageReader::Header {
  bool fin = false;
  std::uint8_t opcode = 0;
  std::span<const std::byte> key;      // The masking key, in the caller's bytes.
  std::span<const std::byte> payload;  // Still masked, in the caller's bytes.
  std::size_t size = 0;                // The whole frame, header and payload.
};

MessageReader::Event MessageReader::next(std::string_view data) {
  if (error_code_ != 0) return {Kind::error, {}, error_code_, error_why_, 0};
  // Fragments that are not a message's last give no event: take the frames that follow them
  // in the same call, and count all they used.
  std::size_t consumed = 0;
  for (;;) {
    Event event = take_frame(data.substr(consumed));
    if (event.kind == Kind::error) return event;
    consumed += event.consumed;
    if (event.kind != Kind::need_more || event.consumed == 0) {
      event.consumed = consumed;
      return event;
    }
  }
}

MessageReader::Event MessageReader::take_frame(std::string_view data) {
  Header frame;
  if (auto stop = read_frame(data, frame)) return *stop;
  return is_control(frame.opcode) ? take_control(frame) : take_data(frame);
}

// Byte 0: FIN, RSV1-3 and the opcode (sections 5.2, 5.4 and 5.5).
std::optional<MessageReader::Event> MessageReader::check_first_byte(const Header& frame) {
  if ((frame.opcode > 0x2 && frame.opcode < 0x8) || frame.opcode > 0xA) {
    return fail(kCloseProtocolError, "a reserved opcode");
  }
  if (is_control(frame.opcode) && !frame.fin) {
    return fail(kCloseProtocolError, "a fragmented control frame");
  }
  if (frame.opcode == 0x0 && !in_message_) {
    return fail(kCloseProtocolError, "a continuation with no message begun");
  }
  if ((frame.opcode == 0x1 || frame.opcode == 0x2) && in_message_) {
    return fail(kCloseProtocolError, "a new message inside a fragmented one");
  }
  return std::nullopt;
}

//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-------+-+-------------+-------------------------------+
// |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
// |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
// |N|V|V|V|       |S|             |   (if payload len==126/127)   |
// +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
// |     Extended payload length continued, if payload len == 127  |
// + - - - - - - - - - - - - - - - +-------------------------------+
// |                               | Masking-key, if MASK set to 1 |
// +-------------------------------+-------------------------------+
// | Masking-key (continued)       |          Payload Data         |
// +-------------------------------- - - - - - - - - - - - - - - - +
// RFC 6455 section 5.2. Each check runs as soon as the bytes it needs are here, so that how
// the stream is split cannot change the verdict.
std::optional<MessageReader::Event> MessageReader::read_frame(std::string_view data,
                                                              Header& frame) {
  ByteReader reader(as_bytes(data));
  const auto first = reader.u8();
  if (!first) return Event{};
  if ((*first & kReserved) != 0) return fail(kCloseProtocolError, "reserved bits set");
  frame.fin = (*first & kFin) != 0;
  frame.opcode = *first & 0x0F;
  if (auto refused = check_first_byte(frame)) return refused;
  const auto second = reader.u8();
  if (!second) return Event{};
  // Section 5.1: a server closes on any client frame that is not masked.
  if ((*second & kMasked) == 0) return fail(kCloseProtocolError, "an unmasked client frame");
  const std::uint8_t length7 = *second & 0x7F;
  if (is_control(frame.opcode) && length7 > kMaxControlPayload) {
    return fail(kCloseProtocolError, "a control frame over 125 bytes");
  }
  const auto length = read_length(reader, length7);
  if (!length) return Event{};
  if ((*length >> 63) != 0) {
    return fail(kCloseProtocolError, "a 64-bit length with its top bit set");
  }
  // Refused from the header alone, so that no one buffers a payload that will be refused.
  const std::size_t assembled = in_message_ ? message_.size() : 0;
  if (!is_control(frame.opcode) && *length > max_message_ - assembled) {
    return fail(kCloseTooBig, "a message over the size limit");
  }
  const auto key = reader.bytes(4);
  const auto payload = key ? reader.bytes(static_cast<std::size_t>(*length)) : std::nullopt;
  if (!payload) return Event{};
  frame.key = *key;
  frame.payload = *payload;
  frame.size = reader.position();
  return std::nullopt;
}

// Section 5.4: a message's fragments in order; section 8.1: a text message is UTF-8 as a
// whole, checked fragment by fragment so that a bad byte is refused when it arrives.
MessageReader::Event MessageReader::take_data(const Header& frame) {
  if (frame.opcode != 0x0) {
    message_.clear();
    in_message_ = true;
    message_is_text_ = frame.opcode == 0x1;
    utf8_state_ = 0;
  }
  const std::size_t start = message_.size();
  unmask_into(message_, frame.payload, frame.key);
  if (message_is_text_ &&
      !detail::feed_utf8(utf8_state_, std::string_view(message_).substr(start))) {
    return fail(kCloseInvalidData, "a text message that is not UTF-8");
  }
  if (!frame.fin) return {Kind::need_more, {}, 0, {}, frame.size};
  in_message_ = false;
  if (message_is_text_ && utf8_state_ != 0) {
    return fail(kCloseInvalidData, "a text message that ends inside a UTF-8 sequence");
  }
  return {message_is_text_ ? Kind::text : Kind::binary, message_, 0, {}, frame.size};
}

// Section 5.5: control frames stand alone and may come between a message's fragments,
// which therefore keep their own buffer.
MessageReader::Event MessageReader::take_control(const Header& frame) {
  control_.clear();
  unmask_into(control_, frame.payload, frame.key);
  switch (static_cast<Opcode>(frame.opcode)) {
    case Opcode::ping:
      return {Kind::ping, control_, 0, {}, frame.size};
    case Opcode::pong:
      return {Kind::pong, control_, 0, {}, frame.size};
    default:
      return take_close(frame.size);
  }
}

// Section 5.5.1: an empty body, or a two-byte code (network order) and a UTF-8 reason.
//   +--------+--------+-------------------------+
//   |  code (16 bits) |  reason (UTF-8, 0..123) |
//   +--------+--------+-------------------------+
MessageReader::Event MessageReader::take_close(std::size_t consumed) {
  if (control_.empty()) return {Kind::close, {}, kCloseNoStatus, {}, consumed};
  ByteReader reader(as_bytes(control_));
  const auto code = reader.u16_be();
  if (!code) return fail(kCloseProtocolError, "a Close payload of one byte");
  if (!is_valid_close_code(*code)) return fail(kCloseProtocolError, "an invalid Close code");
  const std::string_view reason = std::string_view(control_).substr(2);
  std::uint32_t state = 0;
  if (!detail::feed_utf8(state, reason) || state != 0) {
    return fail(kCloseInvalidData, "a Close reason that is not UTF-8");
  }
  return {Kind::close, reason, *code, {}, consumed};
}

MessageReader::Event MessageReader::fail(std::uint16_t code, std::string_view why) {
  error_code_ = code;
  error_why_ = why;
  return {Kind::error, {}, code, why, 0};
}

}  // namespace soket::proto::websocket
