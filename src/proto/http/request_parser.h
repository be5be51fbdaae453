// RequestParser: the head of one HTTP/1.1 request as a server reads it from hostile bytes
// (RFC 9112 sections 2-5): the request line, then header fields up to the empty line.
// Sans-I/O: it looks at the bytes the caller buffers and says how many make the head; it
// never reads a body (the chat server's web side takes none).
//
// Limits (named, so that a peer cannot make the server hold more): the whole head is at most
// `kMaxRequestHead` bytes and `kMaxHeaderFields` fields. Obsolete line folding, a space
// before a field's colon, a bare CR or LF and control bytes are refused (RFC 9112 sections
// 5.1, 5.2 and 2.2), as are request lines that are not "METHOD SP TARGET SP HTTP/1.x".
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace soket::proto::http {

inline constexpr std::size_t kMaxRequestHead = 16 * 1024;
inline constexpr std::size_t kMaxHeaderFields = 64;

struct RequestHead {
  std::string method;  // Case-sensitive, as RFC 9110 section 9.1 says.
  std::string target;  // As sent: origin-form ("/ws?x") for the requests a server serves.
  int minor_version = 1;
  std::vector<std::pair<std::string, std::string>> fields;  // Names as sent; values trimmed.

  // The value of the first field named `name` (compared without case), if any.
  std::optional<std::string_view> field(std::string_view name) const;
  // How many fields are named `name` (without case): a server refuses some twice over.
  std::size_t count(std::string_view name) const;
  // True when a field named `name` lists `token` among its comma-separated values (without
  // case), as Connection: keep-alive, Upgrade does.
  bool field_has_token(std::string_view name, std::string_view token) const;
};

enum class RequestStatus {
  need_more,       // The head has not ended yet (and is within the limit).
  done,            // `head` is filled; `consumed` bytes made it.
  bad_request,     // 400: not HTTP/1.x as RFC 9112 writes it.
  head_too_large,  // 431: past kMaxRequestHead or kMaxHeaderFields.
  bad_version,     // 505: HTTP/2 or later on a line that is otherwise well formed.
};

struct RequestParse {
  RequestStatus status = RequestStatus::need_more;
  std::size_t consumed = 0;
  RequestHead head;
};

// True when `line` (without its CR LF) has the shape of a request line: a method token, one
// space, a target without spaces, one space, "HTTP/" and a version. Lets a server that also
// speaks a line protocol tell the two apart from the first line alone.
// The target must be in a form an origin server is asked for ("/..." or "*"), so that a chat
// line such as "PASSWORD word HTTP/1.1" is not taken for one.
bool looks_like_request_line(std::string_view line);

// True when `start`, the beginning of a first line whose end has not come yet, can still
// become a request line: a method token, a space, and the start of such a target (and of
// " HTTP/1.1" after it). Lets that server keep a long request line for HTTP rather than
// judge it by where TCP happened to cut it.
bool could_start_request_line(std::string_view start);

// Parses the head at the start of `data` (everything buffered, not yet consumed). Call again
// with more bytes while need_more. Stateless: each call parses from the start.
RequestParse parse_request_head(std::string_view data);

}  // namespace soket::proto::http
