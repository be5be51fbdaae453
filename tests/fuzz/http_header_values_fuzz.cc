// Arbitrary bytes as a Content-Range and as a Retry-After value (the headers that steer
// `soket http -C -` and `--retry`). Input layout: byte 0 chooses the cap for Retry-After
// (0-255 s); the rest is the header value.
//
// Properties checked, beyond "never a crash":
//  - a Content-Range that parses is consistent: first <= last, last < complete when both are
//    known, "*" only with a complete length; and written back canonically it parses the same;
//  - a Retry-After that parses lies within 0 and the cap, whatever "now" is.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "proto/http/header_values.h"

namespace {

using soket::proto::http::ContentRange;
using soket::proto::http::parse_content_range;
using soket::proto::http::parse_retry_after;

void check(bool property) {
  if (!property) std::abort();
}

std::string canonical(const ContentRange& range) {
  std::string text = "bytes ";
  text += range.first < 0 ? "*" : std::to_string(range.first) + "-" + std::to_string(range.last);
  text += "/" + (range.complete < 0 ? std::string("*") : std::to_string(range.complete));
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::int64_t cap = data[0];
  const std::string_view value(reinterpret_cast<const char*>(data + 1), size - 1);

  if (const auto range = parse_content_range(value)) {
    if (range->first < 0) {
      check(range->last < 0 && range->complete >= 0);
    } else {
      check(range->first <= range->last);
      check(range->complete < 0 || range->last < range->complete);
    }
    const auto again = parse_content_range(canonical(*range));
    check(again && again->first == range->first && again->last == range->last &&
          again->complete == range->complete);
  }
  for (const std::int64_t now : {std::int64_t{0}, std::int64_t{784111777}, std::int64_t{1} << 40}) {
    if (const auto wait = parse_retry_after(value, now, cap)) check(*wait >= 0 && *wait <= cap);
  }
  return 0;
}
