// ByteWriter: builds wire bytes. Values are written with shifts in the order asked for;
// a length can be written later into a place kept for it (patch_*), as netlink's and DNS
// over TCP's length fields need.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace soket {

class ByteWriter {
 public:
  std::size_t size() const { return bytes_.size(); }
  const std::vector<std::byte>& bytes() const { return bytes_; }
  std::vector<std::byte> take() { return std::move(bytes_); }

  void u8(std::uint8_t value) { bytes_.push_back(static_cast<std::byte>(value)); }
  void u16_be(std::uint16_t value) { put(value, 2, true); }
  void u32_be(std::uint32_t value) { put(value, 4, true); }
  void u16_le(std::uint16_t value) { put(value, 2, false); }
  void u32_le(std::uint32_t value) { put(value, 4, false); }
  void append(std::span<const std::byte> more) {
    bytes_.insert(bytes_.end(), more.begin(), more.end());
  }
  void zeros(std::size_t count) { bytes_.resize(bytes_.size() + count); }

  void patch_u16_be(std::size_t at, std::uint16_t value) { patch(at, value, 2, true); }
  void patch_u32_le(std::size_t at, std::uint32_t value) { patch(at, value, 4, false); }
  void patch_u32_be(std::size_t at, std::uint32_t value) { patch(at, value, 4, true); }

 private:
  void put(std::uint64_t value, std::size_t size, bool big_endian) {
    bytes_.resize(bytes_.size() + size);
    patch(bytes_.size() - size, value, size, big_endian);
  }
  void patch(std::size_t at, std::uint64_t value, std::size_t size, bool big_endian) {
    for (std::size_t i = 0; i < size; ++i) {
      const std::size_t shift = 8 * (big_endian ? size - 1 - i : i);
      bytes_[at + i] = static_cast<std::byte>((value >> shift) & 0xff);
    }
  }

  std::vector<std::byte> bytes_;
};

}  // namespace soket
