#include "proto/websocket/handshake.h"

#include "proto/http/status_response.h"
#include "proto/text/ascii.h"
#include "proto/text/digest_base64.h"

namespace soket::proto::websocket {
namespace {

// Section 1.3: the GUID every server appends to the client's key.
constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

// Section 4.1, item 7: 16 random bytes in base64 are 24 characters, the last two "==".
bool is_valid_key(std::string_view key) {
  if (key.size() != 24 || key.substr(22) != "==") return false;
  for (const char c : key.substr(0, 22)) {
    if (!is_base64_char(c)) return false;
  }
  return true;
}

// A refusal: the status, the fields it calls for (RFC 9110 section 15.5.6 asks a 405 for
// Allow; RFC 6455 section 4.4 asks a 426 for the versions served), and a one-line body so
// that a person who opens the address in a browser reads why.
UpgradeAnswer refuse(int status, std::string reason, std::string_view extra_fields = {}) {
  UpgradeAnswer answer;
  answer.status = status;
  answer.response = http::plain_text_response(status, reason, extra_fields);
  answer.reason = std::move(reason);
  return answer;
}

// Section 4.2.2, item 4: the page's own origin is scheme://host[:port] as the Host field
// names it; browsers send the Origin in that same serialization (RFC 6454 section 6.1).
bool origin_allowed(std::string_view origin, std::string_view host, const OriginPolicy& policy) {
  if (text::iequals(origin, policy.scheme + "://" + std::string(host))) return true;
  for (const auto& allowed : policy.also_allowed) {
    if (text::iequals(origin, allowed)) return true;
  }
  return false;
}

}  // namespace

// Empty only when libcrypto cannot run SHA-1 at all; no key then matches.
std::string accept_key(std::string_view client_key) {
  return text::digest_base64(text::Digest::sha1, std::string(client_key) + std::string(kGuid));
}

// The checks follow section 4.2.1's list in order; the first that fails answers.
UpgradeAnswer answer_upgrade(const http::RequestHead& request, const OriginPolicy& policy) {
  if (request.method != "GET") return refuse(405, "a WebSocket opens with GET", "Allow: GET\r\n");
  if (request.minor_version < 1) return refuse(400, "a WebSocket needs HTTP/1.1");
  const auto host = request.field("Host");
  // RFC 9112 section 3.2: no Host, or more than one, is a 400.
  if (!host || request.count("Host") != 1) return refuse(400, "one Host field is needed");
  if (!request.field_has_token("Upgrade", "websocket")) {
    return refuse(400, "no Upgrade: websocket field");
  }
  if (!request.field_has_token("Connection", "Upgrade")) {
    return refuse(400, "no Connection: Upgrade field");
  }
  // Section 4.4: an unknown version (or none, as drafts before 13 sent) learns which one
  // this server speaks, so the client may try again with it.
  const auto version = request.field("Sec-WebSocket-Version");
  if (!version || *version != "13" || request.count("Sec-WebSocket-Version") != 1) {
    return refuse(426, "only WebSocket version 13 is served", "Sec-WebSocket-Version: 13\r\n");
  }
  const auto key = request.field("Sec-WebSocket-Key");
  if (!key || !is_valid_key(*key) || request.count("Sec-WebSocket-Key") != 1) {
    return refuse(400, "Sec-WebSocket-Key is not 16 bytes in base64");
  }
  // One Origin at most (RFC 6454 section 7.3): with two, which one a check reads is a guess.
  if (request.count("Origin") > 1) return refuse(403, "more than one Origin field");
  const auto origin = request.field("Origin");
  if (origin && !origin_allowed(*origin, *host, policy)) {
    return refuse(403, "origin " + std::string(*origin) + " is not allowed");
  }
  // Section 4.2.2, item 5: no subprotocol and no extension is chosen, so none is named, and
  // the reserved bits stay unused (section 5.2).
  UpgradeAnswer answer;
  answer.status = 101;
  answer.response =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: " +
      accept_key(*key) + "\r\n\r\n";
  return answer;
}

}  // namespace soket::proto::websocket
