#include "proto/dns/detail/rdata_cursor.h"

#include "proto/dns/names.h"

namespace soket::proto::dns::detail {

// The reader sees the message only up to the rdata's end, so that no field and no name of
// this record can run into the next one. Pointers go strictly backwards (names.cc), so what
// a name in the rdata points at lies within that view.
RdataCursor::RdataCursor(std::span<const std::byte> message, std::size_t offset, std::size_t end)
    : message_(message.first(end)), reader_(message_) {
  reader_.seek(offset);
}

Result<std::string> RdataCursor::name() {
  return read_name(reader_, message_);
}

std::optional<std::span<const std::byte>> RdataCursor::character_string() {
  const auto length = reader_.u8();
  if (!length) return std::nullopt;
  return reader_.bytes(*length);
}

}  // namespace soket::proto::dns::detail
