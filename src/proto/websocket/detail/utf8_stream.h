// Utf8Stream: strict UTF-8 validation (RFC 3629 section 4) of text that arrives in pieces, as
// a WebSocket text message does across its fragments (RFC 6455 section 8.1). The whole state
// is one integer, so the reader can keep it between frames without allocating.
#pragma once

#include <cstdint>
#include <string_view>

namespace soket::proto::websocket::detail {

// Feeds `bytes` to a validation whose state is `state` (0 at the start and after each whole
// character). Returns false as soon as a byte cannot be part of any valid text: a sequence
// that is overlong, a surrogate, past U+10FFFF, or broken. A sequence cut at the end of
// `bytes` is not an error: the state then says how it must go on, and is not 0.
bool feed_utf8(std::uint32_t& state, std::string_view bytes);

}  // namespace soket::proto::websocket::detail
