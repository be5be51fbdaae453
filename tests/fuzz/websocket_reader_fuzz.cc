// Arbitrary bytes as a client's WebSocket frames (RFC 6455 section 5). Input layout: byte 0
// picks the message limit (0-127 as itself, so that 1009 is common; 128-255 as steps of
// 512 bytes up to 64 KiB); byte 1 says how many piece lengths follow (0-7); each such byte
// gives a piece length (1-256), used in turn; the rest is the stream.
//
// Properties checked, beyond "never a crash":
//  - the reader never claims more bytes than it was given;
//  - every text event is valid UTF-8 (by proto/text's decoder, a second implementation) and
//    no message passes the limit; a control payload is at most 125 bytes; a close code is
//    1005 or one a peer may send; an error's code is 1002, 1007 or 1009;
//  - after an error, the reader keeps giving the same error and consumes nothing;
//  - fed in the pieces the input chooses, it gives exactly the events it gives fed whole.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "proto/text/utf8.h"
#include "proto/websocket/close_codes.h"
#include "proto/websocket/message_reader.h"

namespace {

using soket::proto::websocket::MessageReader;
using Kind = MessageReader::Kind;

bool is_utf8(std::string_view text) {
  while (!text.empty()) {
    const auto unit = soket::proto::text::decode_utf8(text);
    if (!unit.valid) return false;
    text.remove_prefix(unit.length);
  }
  return true;
}

void check(const MessageReader::Event& e, std::size_t max_message) {
  switch (e.kind) {
    case Kind::text:
      if (!is_utf8(e.payload)) std::abort();
      [[fallthrough]];
    case Kind::binary:
      if (e.payload.size() > max_message) std::abort();
      break;
    case Kind::ping:
    case Kind::pong:
      if (e.payload.size() > 125) std::abort();
      break;
    case Kind::close:
      if (e.code != soket::proto::websocket::kCloseNoStatus &&
          !soket::proto::websocket::is_valid_close_code(e.code)) {
        std::abort();
      }
      if (e.payload.size() > 123 || !is_utf8(e.payload)) std::abort();
      break;
    case Kind::error:
      if (e.code != 1002 && e.code != 1007 && e.code != 1009) std::abort();
      if (e.consumed != 0 || e.why.empty()) std::abort();
      break;
    case Kind::need_more:
      break;
  }
}

// Every event as text, in order; an error ends the reading.
std::string read(std::string_view stream, std::size_t max_message, std::string_view pieces) {
  MessageReader reader(max_message);
  std::string trace;
  std::string buffered;
  std::size_t k = 0;
  for (std::size_t at = 0; at < stream.size();) {
    const std::size_t piece = pieces.empty()
                                  ? stream.size()
                                  : static_cast<unsigned char>(pieces[k++ % pieces.size()]) + 1u;
    buffered.append(stream.substr(at, piece));
    at += std::min(piece, stream.size() - at);
    for (;;) {
      const auto event = reader.next(buffered);
      if (event.consumed > buffered.size()) std::abort();
      check(event, max_message);
      if (event.kind == Kind::error) {
        const auto again = reader.next(buffered);
        if (again.kind != Kind::error || again.code != event.code || again.consumed != 0) {
          std::abort();
        }
        return trace + "E" + std::to_string(event.code);
      }
      if (event.kind != Kind::need_more) {
        trace += std::to_string(static_cast<int>(event.kind)) + ":" + std::to_string(event.code) +
                 ":" + std::to_string(event.payload.size()) + ":";
        trace += event.payload;
        trace += '\n';
      }
      buffered.erase(0, event.consumed);
      if (event.kind == Kind::need_more) break;
    }
  }
  return trace;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t max_message = data[0] < 128 ? data[0] : std::size_t{data[0] - 127u} * 512;
  const std::size_t count = data[1] % 8;
  if (size < 2 + count) return 0;
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  const std::string_view pieces = all.substr(2, count);
  const std::string_view stream = all.substr(2 + count);
  if (read(stream, max_message, {}) != read(stream, max_message, pieces)) std::abort();
  return 0;
}
