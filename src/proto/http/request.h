// Building an HTTP/1.1 request (RFC 9112 section 3): the request line, Host, User-Agent,
// Accept-Encoding when asked, Connection: close, the caller's headers, and a body with its
// Content-Length.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proto/http/url.h"

namespace soket::proto::http {

struct RequestSpec {
  std::string method = "GET";
  Url url;
  std::vector<std::pair<std::string, std::string>> headers;  // Replace defaults of that name.
  std::string body;
  bool compressed = false;  // Accept-Encoding: gzip, deflate.
  std::string user_agent;
  std::string content_type;  // With a body, unless `headers` has one.
  std::string accept = "*/*";
};

std::string build_request(const RequestSpec& spec);
// The value of an Authorization header for Basic authentication (RFC 7617): "Basic " and
// "user:password" in base64.
std::string basic_authorization(std::string_view user_password);

}  // namespace soket::proto::http
