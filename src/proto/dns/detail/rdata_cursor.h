// RdataCursor: reads one record's rdata, and never past its end. Every read that would pass
// the end fails (the caller turns that into errc::bad_rdata); names may point back into the
// message before the rdata (RFC 1035 section 4.1.4), so the cursor reads the message itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "core/byte_reader.h"
#include "core/result.h"

namespace soket::proto::dns::detail {

class RdataCursor {
 public:
  // The rdata is message[offset, end). `end` must be within the message.
  RdataCursor(std::span<const std::byte> message, std::size_t offset, std::size_t end);

  std::optional<std::uint8_t> u8() { return reader_.u8(); }
  std::optional<std::uint16_t> u16() { return reader_.u16_be(); }
  std::optional<std::uint32_t> u32() { return reader_.u32_be(); }
  std::optional<std::span<const std::byte>> bytes(std::size_t count) {
    return reader_.bytes(count);
  }
  // Everything up to the end (possibly nothing).
  std::span<const std::byte> rest() { return *reader_.bytes(reader_.remaining()); }
  // A name, compressed or not; errors of names.h, and errc::truncated past the rdata's end.
  Result<std::string> name();
  // A <character-string> (RFC 1035 section 3.3): a length byte and that many bytes.
  std::optional<std::span<const std::byte>> character_string();
  bool at_end() const { return reader_.empty(); }
  std::size_t left() const { return reader_.remaining(); }

 private:
  std::span<const std::byte> message_;
  ByteReader reader_;
};

}  // namespace soket::proto::dns::detail
