#include "proto/websocket/close_codes.h"

namespace soket::proto::websocket {

// RFC 6455 section 7.4.1 defines 1000-1011; of those, 1004 is reserved, and 1005, 1006 and
// 1015 only stand for "no code" in an API, never on the wire. Section 7.4.2 leaves 0-999
// unused, 1012-2999 to future RFCs and extensions (refused until one is agreed), and gives
// 3000-4999 to libraries and applications.
bool is_valid_close_code(std::uint16_t code) {
  if (code >= 1000 && code <= 1003) return true;
  if (code >= 1007 && code <= 1011) return true;
  return code >= 3000 && code <= 4999;
}

}  // namespace soket::proto::websocket
