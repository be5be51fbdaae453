#include "proto/websocket/detail/utf8_stream.h"

namespace soket::proto::websocket::detail {
namespace {

// The state packs what the next byte must be: bits 0-7 the continuation bytes still due,
// bits 8-15 and 16-23 the lowest and highest value the next one may take.
constexpr std::uint32_t pack(std::uint32_t due, std::uint32_t low, std::uint32_t high) {
  return due | (low << 8) | (high << 16);
}

// The well-formed sequences of the Unicode Standard's table 3-7 (the same set as RFC 3629's
// ABNF): the second byte's range is narrowed after E0, ED, F0 and F4, which is what refuses
// overlong forms, surrogates (ED A0..BF) and values past U+10FFFF before they end.
//   00..7F
//   C2..DF 80..BF
//   E0 A0..BF 80..BF    E1..EC 80..BF 80..BF    ED 80..9F 80..BF    EE..EF 80..BF 80..BF
//   F0 90..BF 80..BF 80..BF    F1..F3 80..BF 80..BF 80..BF    F4 80..8F 80..BF 80..BF
bool start(std::uint32_t& state, std::uint32_t lead) {
  if (lead < 0x80) return true;
  if (lead >= 0xC2 && lead <= 0xDF)
    state = pack(1, 0x80, 0xBF);
  else if (lead == 0xE0)
    state = pack(2, 0xA0, 0xBF);
  else if (lead == 0xED)
    state = pack(2, 0x80, 0x9F);
  else if (lead >= 0xE1 && lead <= 0xEF)
    state = pack(2, 0x80, 0xBF);
  else if (lead == 0xF0)
    state = pack(3, 0x90, 0xBF);
  else if (lead >= 0xF1 && lead <= 0xF3)
    state = pack(3, 0x80, 0xBF);
  else if (lead == 0xF4)
    state = pack(3, 0x80, 0x8F);
  else
    return false;  // 80..C1 (continuations, overlong C0 and C1) and F5..FF start nothing.
  return true;
}

}  // namespace

bool feed_utf8(std::uint32_t& state, std::string_view bytes) {
  for (const char c : bytes) {
    const std::uint32_t byte = static_cast<unsigned char>(c);
    if (state == 0) {
      if (!start(state, byte)) return false;
      continue;
    }
    const std::uint32_t due = state & 0xFF;
    const std::uint32_t low = (state >> 8) & 0xFF;
    const std::uint32_t high = (state >> 16) & 0xFF;
    if (byte < low || byte > high) return false;
    state = due == 1 ? 0 : pack(due - 1, 0x80, 0xBF);
  }
  return true;
}

}  // namespace soket::proto::websocket::detail
