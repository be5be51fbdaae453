// Arbitrary bytes through the transform: it must never crash, must count at most one
// character per byte, and must give back valid text wherever the input was valid.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "proto/text/utf8.h"
#include "proto/transform/transform.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view message(reinterpret_cast<const char*>(data), size);
  const auto result = soket::proto::transform::transform_text(message);
  if (result.count > size) std::abort();
  if (result.count != soket::proto::text::count_characters(message)) std::abort();
  (void)soket::proto::transform::make_reply(message, {2026, 1, 1, 0, 0, 0});
  return 0;
}
