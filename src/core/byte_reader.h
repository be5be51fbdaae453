// ByteReader: the only way soket reads wire bytes. Every read checks what remains; values
// are assembled with shifts (big-endian for network fields, little-endian where a kernel
// interface uses host order on x86); a failed read leaves the reader where it was. No
// pointer arithmetic or casts in protocol code: they live here, once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace soket {

class ByteReader {
 public:
  explicit ByteReader(std::span<const std::byte> bytes) : bytes_(bytes) {}

  std::size_t remaining() const { return bytes_.size() - position_; }
  std::size_t position() const { return position_; }
  bool empty() const { return remaining() == 0; }

  std::optional<std::uint8_t> u8();
  std::optional<std::uint16_t> u16_be();
  std::optional<std::uint32_t> u32_be();
  std::optional<std::uint16_t> u16_le();
  std::optional<std::uint32_t> u32_le();
  // The next `count` bytes, as a view into the input (valid as long as the input is).
  std::optional<std::span<const std::byte>> bytes(std::size_t count);
  bool skip(std::size_t count);
  // Moves to an absolute position (backwards or forwards) within the input.
  bool seek(std::size_t position);
  // A reader over the next `count` bytes only, consuming them here.
  std::optional<ByteReader> sub(std::size_t count);

 private:
  std::optional<std::uint64_t> unsigned_value(std::size_t size, bool big_endian);

  std::span<const std::byte> bytes_;
  std::size_t position_ = 0;
};

}  // namespace soket
