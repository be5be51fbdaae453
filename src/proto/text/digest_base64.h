// A digest of some text, in base64: what the WebSocket accept key (SHA-1, RFC 6455 section
// 4.2.2) and a Content-Security-Policy hash source (SHA-256, CSP level 3) are made of.
#pragma once

#include <string>
#include <string_view>

namespace soket::proto::text {

enum class Digest { sha1, sha256 };

// Empty only when libcrypto cannot compute the digest at all.
std::string digest_base64(Digest digest, std::string_view text);

}  // namespace soket::proto::text
