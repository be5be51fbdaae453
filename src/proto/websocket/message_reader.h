// MessageReader: a client's frames (RFC 6455 section 5) into whole messages and control
// frames, as a server reads them from hostile bytes. Sans-I/O: it looks at the bytes the
// caller buffers and says how many it used; it resumes across any split of the stream.
//
// What it refuses, with the Close code the server then sends (section 7.4.1):
// - 1002: an unmasked frame (section 5.1), reserved bits set without an extension (5.2),
//   an unknown opcode, a control frame fragmented or over 125 bytes (5.5), a continuation
//   with no message begun or a new message inside a fragmented one (5.4), a 64-bit length
//   with its top bit set, a Close payload of one byte or with an invalid code (7.4).
// - 1007: a text message, or a Close reason, that is not UTF-8 (8.1). Checked as the
//   fragments come, so a bad byte is refused before the message ends ("fail fast").
// - 1009: a message whose payload (all its fragments) passes `max_message`: refused as soon
//   as a frame header announces it, before its payload is read.
// After an error every later call returns the same error and consumes nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace soket::proto::websocket {

class MessageReader {
 public:
  enum class Kind { need_more, text, binary, ping, pong, close, error };
  struct Event {
    Kind kind = Kind::need_more;
    // text/binary: the whole message, unmasked; ping/pong: the payload; close: the reason.
    // Valid until the next call.
    std::string_view payload;
    // close: the peer's code (kCloseNoStatus when it sent none); error: the code to send.
    std::uint16_t code = 0;
    std::string_view why;  // error: what was wrong, for the server's log.
    // Bytes the caller may drop before the next call, for every kind: a need_more may carry
    // some too (fragments taken that complete no message yet), and they must be dropped.
    std::size_t consumed = 0;
  };

  explicit MessageReader(std::size_t max_message) : max_message_(max_message) {}

  // `data` is every byte buffered and not yet consumed. Call again while the event is not
  // need_more or error (after dropping `consumed` bytes). A frame is consumed only whole, so
  // the caller buffers at most one frame: at most max_message + 14 bytes.
  Event next(std::string_view data);

 private:
  struct Header;  // One frame's header fields (message_reader.cc).

  // One frame at the start of `data`. need_more with consumed 0: the frame is not whole yet;
  // need_more with consumed > 0: a fragment that is not a message's last, taken.
  Event take_frame(std::string_view data);
  // The header's checks, made in the order its bytes arrive, then the payload. An event
  // (need_more or an error) until the frame is whole and passes them.
  std::optional<Event> read_frame(std::string_view data, Header& frame);
  std::optional<Event> check_first_byte(const Header& frame);
  Event take_data(const Header& frame);
  Event take_control(const Header& frame);
  Event take_close(std::size_t consumed);
  Event fail(std::uint16_t code, std::string_view why);

  // Implementation state: the message being assembled, its opcode, the UTF-8 decoder state
  // carried across fragments, and the sticky error.
  std::size_t max_message_;
  std::string message_;      // Fragments so far of the message being assembled.
  std::string control_;      // The last control frame's unmasked payload.
  bool in_message_ = false;  // A fragmented message has begun.
  bool message_is_text_ = false;
  std::uint32_t utf8_state_ = 0;  // Validation state across fragments (0: at a boundary).
  std::uint16_t error_code_ = 0;  // Non-zero once failed.
  std::string_view error_why_;
};

}  // namespace soket::proto::websocket
