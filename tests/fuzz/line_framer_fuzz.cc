// Feeds arbitrary bytes to LineFramer in arbitrary pieces (the first byte picks the limit,
// the next the piece size) and checks its promises: every line fits the limit, holds no LF,
// and consumed never passes what it was shown.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "proto/line/line_framer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t max_line = data[0] % 64 + 1;
  const std::size_t piece = data[1] % 17 + 1;
  soket::proto::line::LineFramer framer(max_line);
  std::string buffered;
  for (std::size_t at = 2; at < size; at += piece) {
    buffered.append(reinterpret_cast<const char*>(data + at), std::min(piece, size - at));
    for (;;) {
      const auto event = framer.next(buffered);
      if (event.consumed > buffered.size()) std::abort();
      if (event.kind == soket::proto::line::LineFramer::Kind::line &&
          (event.line.size() > max_line || event.line.find('\n') != std::string::npos)) {
        std::abort();
      }
      buffered.erase(0, event.consumed);
      if (event.kind == soket::proto::line::LineFramer::Kind::need_more) break;
    }
  }
  return 0;
}
