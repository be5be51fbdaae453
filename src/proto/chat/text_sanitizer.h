// Cleaning a chat line before it is relayed, so that no member can rewrite another's
// terminal: invalid UTF-8 becomes U+FFFD; ANSI escape sequences (CSI "ESC [ ... final", OSC
// "ESC ] ... BEL or ESC \", and two-byte "ESC x") are removed whole; every other control
// character (C0 but TAB, DEL, C1) is removed, and so are the Unicode bidi controls (U+061C,
// U+200E, U+200F, U+202A..U+202E, U+2066..U+2069) and separators (U+2028, U+2029). Pure; allocates
// only the result.
#pragma once

#include <string>
#include <string_view>

namespace soket::proto::chat {

std::string sanitize(std::string_view text);

}  // namespace soket::proto::chat
