// Feeds arbitrary bytes to LineFramer whole, and again in pieces whose sizes are derived from
// the input itself, and checks its promises: every line fits the limit and holds no LF,
// consumed never passes what it was shown, and the pieces give exactly the events (kinds and
// lines) and the leftover that the whole gives: a framer must not care how reads split.
// The first byte picks the limit (1..64, so that too-long lines are common).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "proto/line/line_framer.h"

namespace {

using soket::proto::line::LineFramer;

// Every event as text ("L<line>\n" or "T\n"), and what is left buffered at the end.
struct Trace {
  std::string events;
  std::string leftover;
};

Trace frame(std::string_view stream, std::size_t max_line, const std::uint8_t* split,
            std::size_t split_size) {
  LineFramer framer(max_line);
  Trace trace;
  std::string buffered;
  std::size_t k = 0;
  for (std::size_t at = 0; at < stream.size();) {
    // A whole feed passes split_size 0: one piece.
    const std::size_t piece =
        split_size == 0 ? stream.size() : std::size_t{split[k++ % split_size]} % 23 + 1;
    buffered.append(stream.substr(at, piece));
    at += std::min(piece, stream.size() - at);
    for (int guard = 0; guard < 1 << 20; ++guard) {
      const auto event = framer.next(buffered);
      if (event.consumed > buffered.size()) std::abort();
      if (event.kind == LineFramer::Kind::line) {
        if (event.line.size() > max_line || event.line.find('\n') != std::string_view::npos) {
          std::abort();
        }
        trace.events += 'L';
        trace.events += event.line;
        trace.events += '\n';
      } else if (event.kind == LineFramer::Kind::too_long) {
        trace.events += "T\n";
      }
      buffered.erase(0, event.consumed);
      if (event.kind == LineFramer::Kind::need_more) break;
    }
  }
  trace.leftover = framer.skipping() ? std::string("(skipping)") : buffered;
  return trace;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::size_t max_line = data[0] % 64 + 1;
  const std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);
  const Trace whole = frame(stream, max_line, nullptr, 0);
  const Trace pieces = frame(stream, max_line, data, size);
  if (whole.events != pieces.events || whole.leftover != pieces.leftover) std::abort();
  return 0;
}
