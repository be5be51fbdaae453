// The WebSocket opening handshake, server side (RFC 6455 section 4.2): checks a parsed
// HTTP request for an upgrade and writes the answer, 101 or an error status.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "proto/http/request_parser.h"

namespace soket::proto::websocket {

// Sec-WebSocket-Accept: base64(SHA-1(key + the RFC's GUID)) (section 4.2.2, step 5.4).
std::string accept_key(std::string_view client_key);

struct OriginPolicy {
  // "http" or "https": the scheme the page was served with.
  std::string scheme = "http";
  // More origins allowed besides the page's own ("https://example.org"), compared without
  // case, as sent by browsers: scheme://host[:port].
  std::vector<std::string> also_allowed;
};

struct UpgradeAnswer {
  int status = 0;        // 101 when upgraded; else 400, 403, 405 or 426.
  std::string response;  // The whole HTTP response head to send (and for errors, a body).
  std::string reason;    // For the server's log when status != 101: what was wrong.
};

// Section 4.2.1: GET, HTTP/1.1 or later, Host, Upgrade: websocket, Connection: Upgrade,
// a Sec-WebSocket-Key of 16 bytes in base64, Sec-WebSocket-Version 13 (else 426 with the
// version this server speaks). A browser always sends Origin: it must be the page's own
// origin (scheme://Host) or one of `policy.also_allowed`, else 403, so another site's page
// cannot join the room in its visitor's name. A request without Origin comes from no
// browser (section 10.2) and is not refused for it.
UpgradeAnswer answer_upgrade(const http::RequestHead& request, const OriginPolicy& policy);

}  // namespace soket::proto::websocket
