// Arbitrary bytes through the transform, two ways.
// As one message: it must never crash, must count at most one character per byte (exactly
// as count_characters does), and make_reply must accept it.
// As a TCP stream (the service's path: LineFramer, then a reply per line, an ERROR per
// over-long line): fed whole and fed in pieces whose sizes are derived from the input, the
// replies must be the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "proto/line/line_framer.h"
#include "proto/text/utf8.h"
#include "proto/transform/transform.h"

namespace {

using soket::proto::line::LineFramer;

std::string serve(std::string_view stream, std::size_t max_line, const std::uint8_t* split,
                  std::size_t split_size) {
  LineFramer framer(max_line);
  std::string replies, buffered;
  std::size_t k = 0;
  for (std::size_t at = 0; at < stream.size();) {
    const std::size_t piece =
        split_size == 0 ? stream.size() : std::size_t{split[k++ % split_size]} % 29 + 1;
    buffered.append(stream.substr(at, piece));
    at += std::min(piece, stream.size() - at);
    for (int guard = 0; guard < 1 << 20; ++guard) {
      const auto event = framer.next(buffered);
      if (event.kind == LineFramer::Kind::line) {
        soket::proto::transform::append_reply(replies, event.line, "2026-01-01 00:00:00");
        replies += '\n';
      } else if (event.kind == LineFramer::Kind::too_long) {
        replies += "ERROR\n";
      }
      buffered.erase(0, event.consumed);
      if (event.kind == LineFramer::Kind::need_more) break;
    }
  }
  return replies;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view message(reinterpret_cast<const char*>(data), size);
  const auto result = soket::proto::transform::transform_text(message);
  if (result.count > size) std::abort();
  if (result.count != soket::proto::text::count_characters(message)) std::abort();
  (void)soket::proto::transform::make_reply(message, {2026, 1, 1, 0, 0, 0});
  if (size < 1) return 0;
  const std::size_t max_line = data[0] % 128 + 1;
  const std::string_view stream = message.substr(1);
  if (serve(stream, max_line, nullptr, 0) != serve(stream, max_line, data, size)) std::abort();
  return 0;
}
