// The chat room's web page: chat.html with chat.css and chat.js put in place of its two
// marker lines, and the Content-Security-Policy that lets only those run.
//
// One document, so that `GET /` is the only page there is. The policy allows the inline
// style and script by their SHA-256 hashes (CSP 3, "hash-source") and nothing else: no other
// script, no inline event handler, no resource from anywhere, no frame around it. A page
// that only talks to its own server (connect-src 'self' covers ws: and wss: to it).
#pragma once

#include <string>

namespace soket::services {

struct ChatPage {
  std::string document;  // The HTML to send.
  std::string policy;    // The Content-Security-Policy header's value.
};

// Built once, on first use; thread-safe.
const ChatPage& chat_page();

}  // namespace soket::services
