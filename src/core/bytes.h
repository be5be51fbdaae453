// Views between text and bytes: the only casts between char and std::byte in soket.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace soket {

inline std::span<const std::byte> as_bytes(std::string_view text) {
  return std::as_bytes(std::span<const char>(text.data(), text.size()));
}

inline std::string_view as_text(std::span<const std::byte> bytes) {
  if (bytes.empty()) return {};
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace soket
