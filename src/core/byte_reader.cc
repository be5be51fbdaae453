#include "core/byte_reader.h"

namespace soket {

std::optional<std::uint64_t> ByteReader::unsigned_value(std::size_t size, bool big_endian) {
  if (remaining() < size) return std::nullopt;
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < size; ++i) {
    const auto byte = std::to_integer<std::uint64_t>(bytes_[position_ + i]);
    value |= big_endian ? byte << (8 * (size - 1 - i)) : byte << (8 * i);
  }
  position_ += size;
  return value;
}

std::optional<std::uint8_t> ByteReader::u8() {
  auto v = unsigned_value(1, true);
  return v ? std::optional<std::uint8_t>(static_cast<std::uint8_t>(*v)) : std::nullopt;
}
std::optional<std::uint16_t> ByteReader::u16_be() {
  auto v = unsigned_value(2, true);
  return v ? std::optional<std::uint16_t>(static_cast<std::uint16_t>(*v)) : std::nullopt;
}
std::optional<std::uint32_t> ByteReader::u32_be() {
  auto v = unsigned_value(4, true);
  return v ? std::optional<std::uint32_t>(static_cast<std::uint32_t>(*v)) : std::nullopt;
}
std::optional<std::uint16_t> ByteReader::u16_le() {
  auto v = unsigned_value(2, false);
  return v ? std::optional<std::uint16_t>(static_cast<std::uint16_t>(*v)) : std::nullopt;
}
std::optional<std::uint32_t> ByteReader::u32_le() {
  auto v = unsigned_value(4, false);
  return v ? std::optional<std::uint32_t>(static_cast<std::uint32_t>(*v)) : std::nullopt;
}

std::optional<std::span<const std::byte>> ByteReader::bytes(std::size_t count) {
  if (remaining() < count) return std::nullopt;
  const auto view = bytes_.subspan(position_, count);
  position_ += count;
  return view;
}

bool ByteReader::skip(std::size_t count) {
  return bytes(count).has_value();
}

bool ByteReader::seek(std::size_t position) {
  if (position > bytes_.size()) return false;
  position_ = position;
  return true;
}

std::optional<ByteReader> ByteReader::sub(std::size_t count) {
  auto view = bytes(count);
  if (!view) return std::nullopt;
  return ByteReader(*view);
}

}  // namespace soket
