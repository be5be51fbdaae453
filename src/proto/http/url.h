// URLs for the HTTP client (RFC 3986): http and https only, a host that is a name, an IPv4
// address or a bracketed IPv6 literal, an optional port, and a path with its query. The
// fragment is dropped (it never goes to a server). Bytes a request target may not hold
// (space, controls, non-ASCII) are percent-encoded; existing %XX escapes are kept.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include "core/result.h"

namespace soket::proto::http {

struct Url {
  bool https = false;
  std::string host;  // Without brackets: "::1", "example.com".
  std::uint16_t port = 80;
  std::string target = "/";  // Path and query, as sent: "/a%20b?x=1".

  bool default_port() const { return port == (https ? 443 : 80); }
  // The Host header's value: "example.com", "example.com:8080", "[::1]:8443".
  std::string authority() const;
  std::string to_string() const;
};

enum class url_errc {
  bad_scheme = 1,  // Not http:// or https://.
  no_host,
  bad_port,
  bad_host,
  has_userinfo,  // user:password@ is not supported.
};
const std::error_category& url_error_category();
std::error_code make_error_code(url_errc e);

// A text without "scheme://" is taken as http ("127.0.0.1:8080/x", as curl does).
Result<Url> parse_url(std::string_view text);
// Same scheme, host (ASCII case-insensitive) and port (RFC 6454 section 5): the origin that
// credentials given for one URL may be sent to after a redirect.
bool same_origin(const Url& a, const Url& b);
// A Location header resolved against the URL it came from (RFC 3986 section 5.2).
Result<Url> resolve_location(const Url& base, std::string_view location);

}  // namespace soket::proto::http

template <>
struct std::is_error_code_enum<soket::proto::http::url_errc> : std::true_type {};
