// Arbitrary bytes as an HTTP response, fed in pieces the input itself chooses: never a
// crash; the parser never claims more bytes than it was given; and the body it passes on
// never exceeds the bytes it saw.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "proto/http/response_parser.h"

namespace {
struct Counting final : soket::proto::http::ResponseHandler {
  std::size_t body = 0;
  void on_status(int, int, std::string_view) override {}
  void on_header(std::string_view, std::string_view) override {}
  void on_headers_done(std::int64_t) override {}
  void on_body(std::string_view bytes) override { body += bytes.size(); }
  void on_done() override {}
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const bool head = (data[0] & 1) != 0;
  const std::size_t piece = data[1] % 64 + 1;
  soket::proto::http::ResponseParser parser(head, {1024, 32});
  Counting handler;
  std::string pending;
  for (std::size_t at = 2; at < size; at += piece) {
    pending.append(reinterpret_cast<const char*>(data + at), std::min(piece, size - at));
    auto used = parser.feed(pending, handler);
    if (!used) return 0;
    if (*used > pending.size()) std::abort();
    pending.erase(0, *used);
  }
  (void)parser.finish_at_eof(handler);
  if (handler.body > size) std::abort();
  return 0;
}
