// Cleaning a chat line before it is relayed, so that no member can rewrite another's
// terminal: invalid UTF-8 becomes U+FFFD; ANSI escape sequences (CSI "ESC [ ... final", OSC
// "ESC ] ... BEL or ESC \", and two-byte "ESC x") are removed whole; every other control
// character (C0 but TAB, DEL, C1) is removed. Pure; allocates only the result.
#pragma once

#include <string>
#include <string_view>

namespace soket::proto::chat {

std::string sanitize(std::string_view text);

}  // namespace soket::proto::chat
