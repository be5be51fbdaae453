// The HTTP/1.1 client behind `soket http`: one request per connection (Connection: close),
// over TCP or TLS, following redirects when asked, decoding gzip and deflate when asked.
// The body goes to a BodySink as it arrives; nothing holds a whole body in memory.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "clients/byte_stream.h"
#include "core/clock.h"
#include "core/result.h"
#include "net/address.h"
#include "proto/http/url.h"

namespace soket::clients {

enum class http_errc {
  too_many_redirects = 1,  // Past --max-redirs (a loop ends here too).
  bad_redirect,            // A 3xx without a usable Location.
  short_body,              // The connection closed before Content-Length bytes came.
  bad_encoding,            // gzip/deflate data that does not decode.
  truncated_encoding,      // The body ended before its gzip/deflate stream did.
};
const std::error_category& http_error_category();
std::error_code make_error_code(http_errc e);

class BodySink {
 public:
  virtual Result<void> write(std::string_view bytes) = 0;

 protected:
  ~BodySink() = default;
};

struct HttpProgress {
  std::uint64_t received = 0;
  std::int64_t total = -1;  // Content-Length, when known.
};

struct HttpOptions {
  std::string method = "GET";
  // Authorization, Proxy-Authorization and Cookie among these, and `user`, go only to the
  // origin (scheme, host, port) of the URL given to fetch(), as curl since 7.83.1: a redirect
  // elsewhere does not carry them on.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string user;  // -u "user:password": Basic authentication.
  std::string body;
  bool head = false;  // -I
  bool compressed = false;
  bool follow = false;
  int max_redirects = 10;
  TlsOptions tls;
  Duration connect_timeout = std::chrono::seconds(30);
  Duration timeout = std::chrono::hours(24);         // The whole transfer, by the clock.
  std::optional<net::Address> dns_server;            // Resolve with soket's own DNS client.
  std::function<void(std::string_view line)> trace;  // -v: headers, both ways.
  std::function<void(const HttpProgress&)> progress;
};

struct HttpResponse {
  int status = 0;
  std::string status_line;  // "HTTP/1.1 200 OK"
  std::vector<std::pair<std::string, std::string>> headers;
  proto::http::Url url;  // After redirects.
  std::uint64_t body_bytes = 0;
};

// Errors: proto::http::errc (malformed response), http_errc, tls_errc, resolver and socket
// errors, std::errc::timed_out (the whole exchange, redirects included, past options.timeout,
// even while the server keeps sending).
Result<HttpResponse> fetch(const proto::http::Url& url, const HttpOptions& options, BodySink& sink);

}  // namespace soket::clients

template <>
struct std::is_error_code_enum<soket::clients::http_errc> : std::true_type {};
