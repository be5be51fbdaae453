// What a server answers when it refuses a request: the status line's reason phrase (RFC 9110
// section 15) and a whole plain-text response that closes the connection, whose one-line body
// says why, so that a person who opens the address in a browser reads it.
#pragma once

#include <string>
#include <string_view>

namespace soket::proto::http {

// The reason phrase RFC 9110 gives `status` ("Not Found"); "Error" for one soket never sends.
std::string_view reason_phrase(int status);

// "HTTP/1.1 <status> <phrase>", text/plain, Content-Length, Connection: close, then
// `extra_fields` (each ending in CRLF, e.g. "Allow: GET\r\n"), then `body` and an LF.
std::string plain_text_response(int status, std::string_view body,
                                std::string_view extra_fields = {});

}  // namespace soket::proto::http
