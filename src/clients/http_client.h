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
#include "proto/http/write_out.h"

namespace soket::clients {

enum class http_errc {
  too_many_redirects = 1,  // Past --max-redirs (a loop ends here too).
  bad_redirect,            // A 3xx without a usable Location.
  short_body,              // The connection closed before Content-Length bytes came.
  bad_encoding,            // gzip/deflate data that does not decode.
  truncated_encoding,      // The body ended before its gzip/deflate stream did.
  connect_timeout,         // No connection within --connect-timeout.
  bad_content_range,       // -C -: a 206 whose Content-Range does not start at the offset.
  cannot_resume,           // -C -: the server ignored or refused the Range.
};
const std::error_category& http_error_category();
std::error_code make_error_code(http_errc e);

class BodySink {
 public:
  virtual Result<void> write(std::string_view bytes) = 0;
  // Throws away what was written, before a retry; false when it cannot be taken back (a
  // terminal, a pipe, bytes appended to a resumed file).
  virtual bool rewind() { return false; }

 protected:
  ~BodySink() = default;
};

struct HttpProgress {
  std::uint64_t received = 0;
  std::int64_t total = -1;  // Content-Length, when known.
};

// --resolve HOST:PORT:ADDR[,ADDR]...: these addresses for HOST on PORT, no lookup.
struct ResolveOverride {
  std::string host;
  std::uint16_t port = 0;
  std::vector<net::Address> addresses;
};

// --retry, as curl's: what failed transiently (a timeout, a name not found, HTTP 408, 429,
// 500, 502, 503 or 504) is tried again, `count` times at most.
struct RetryOptions {
  int count = 0;
  Duration delay{};                 // 0: 1 s, doubled after each try, at most 10 minutes.
  Duration max_time{};              // 0: no bound on the time spent retrying.
  bool connection_refused = false;  // --retry-connrefused.
  bool all_errors = false;          // --retry-all-errors.
};

struct RetryNotice {
  std::string reason;  // "HTTP 503", "a timeout", ...
  Duration wait{};
  int left = 0;
};

struct HttpOptions {
  std::string method = "GET";
  // Authorization, Proxy-Authorization and Cookie among these, and `user`, go only to the
  // origin (scheme, host, port) of the URL given to fetch(), as curl since 7.83.1: a redirect
  // elsewhere does not carry them on.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string user;  // -u "user:password": Basic authentication.
  std::string body;
  std::string content_type;  // Sent with a body unless -H gives one.
  std::string accept = "*/*";
  std::string user_agent;         // Empty: soket/<version>.
  bool head = false;              // -I
  bool include_headers = false;   // -i, -I: each response's status line and headers go to the
                                  // sink before its body.
  bool fail_on_error = false;     // -f: a final status of 400 or more writes nothing.
  std::uint64_t resume_from = 0;  // -C -: ask for the bytes from here on, and check the reply.
  std::string range;              // -r: "0-99", sent as Range: bytes=0-99.
  int family = 0;                 // AF_INET (-4), AF_INET6 (-6), or 0 for either.
  std::vector<ResolveOverride> resolve;
  bool auto_referer = false;  // -e ';auto': a redirect's request names the URL it left.
  RetryOptions retry;
  std::function<void(const RetryNotice&)> on_retry;
  bool compressed = false;
  bool follow = false;
  int max_redirects = 10;
  TlsOptions tls;
  Duration connect_timeout = std::chrono::seconds(30);
  Duration timeout = std::chrono::hours(24);         // One try, redirects included, by the clock.
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
  bool already_complete = false;  // -C -: the file was whole already.
};

// Errors: proto::http::errc (malformed response), http_errc, tls_errc, resolver and socket
// errors, std::errc::timed_out (the whole exchange, redirects included, past options.timeout,
// even while the server keeps sending).
// `report`, when given, is filled in whatever happens (times, sizes, the last status, the
// address connected to), for -w and for messages that state the time actually waited.
Result<HttpResponse> fetch(const proto::http::Url& url, const HttpOptions& options, BodySink& sink,
                           proto::http::TransferReport* report = nullptr);

// Whether curl's --retry would try `error` again (timeouts, names not found; refused with
// --retry-connrefused; anything with --retry-all-errors); and an HTTP status.
bool is_transient(const std::error_code& error, const RetryOptions& retry);
bool is_transient_status(int status);

}  // namespace soket::clients

template <>
struct std::is_error_code_enum<soket::clients::http_errc> : std::true_type {};
