// What the io_uring engine stores in each operation's user_data, so that a completion finds
// its owner: the kind of operation (top 8 bits), the datagram endpoint it belongs to (the next
// 24; 0 for a TCP connection's, but for a reflection: the buffer it sends from) and the slot of the
// connection or send it is for (low 32).
#pragma once

#include <cstdint>

namespace soket::conn::detail {

enum class UringOp : std::uint8_t {
  receive = 1,  // A TCP connection's.
  send = 2,
  epoll_ready = 3,  // The loop's own epoll fd is readable.
  teardown = 4,     // The cancel of everything, at the end.
  datagram_receive = 5,
  datagram_send = 6,
  datagram_cancel = 7,  // The cancel of an endpoint's receive when it stops.
  bulk_receive = 8,     // A TCP connection's, into a large buffer (its last one came full).
  reflect = 9,          // A send from a large receive buffer (its id in `endpoint`'s place).
};

struct UringTag {
  UringOp op;
  std::uint32_t endpoint = 0;
  std::uint32_t slot = 0;
};

inline std::uint64_t pack(UringTag tag) {
  return (std::uint64_t{static_cast<std::uint8_t>(tag.op)} << 56) |
         (std::uint64_t{tag.endpoint & 0xFFFFFF} << 32) | tag.slot;
}

inline UringTag unpack(std::uint64_t data) {
  return {static_cast<UringOp>(data >> 56), static_cast<std::uint32_t>((data >> 32) & 0xFFFFFF),
          static_cast<std::uint32_t>(data & 0xFFFFFFFF)};
}

}  // namespace soket::conn::detail
