// ResponseParser: an incremental HTTP/1.1 response parser (RFC 9112), sans-I/O. Feed it
// what arrived; it calls the handler for each part it completes and says how many bytes it
// used. Bytes it did not use (an unfinished line) must be fed again with what follows, so
// any split of the stream gives the same events. It never allocates on the body's path.
//
// Views passed to the handler are valid only during the call.
//
// Bodies: by Content-Length, chunked (trailers included), or until the connection closes
// (tell it with finish_at_eof()). Transfer-Encoding wins over Content-Length (RFC 9112
// section 6.3); the client closes the connection after every response anyway. 1xx interim responses
// are skipped. A response to HEAD, and 204 and 304, have no body. Obsolete line folding is rejected
// (RFC 9112 section 5.2).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <system_error>

#include "core/result.h"

namespace soket::proto::http {

enum class errc {
  bad_status_line = 1,
  bad_header,        // No colon, a bad name, or a control character.
  obsolete_folding,  // A header line starting with space or tab.
  header_too_long,   // A status or header line over the limit.
  too_many_headers,
  bad_content_length,  // Not a number, or two that differ.
  bad_chunk_size,
  bad_chunk_end,      // Chunk data not followed by CRLF.
  truncated_headers,  // The connection closed inside the status line or headers.
  truncated_body,     // The connection closed before the body ended.
  body_too_large,     // A Content-Length or chunk that cannot be represented.
  headers_too_large,  // Status lines, headers and trailers past max_header_bytes in all.
};
const std::error_category& error_category();
std::error_code make_error_code(errc e);

class ResponseHandler {
 public:
  virtual void on_status(int version_minor, int status, std::string_view reason) = 0;
  virtual void on_header(std::string_view name, std::string_view value) = 0;
  // `body_length` is the Content-Length, or -1 when unknown (chunked, until close).
  virtual void on_headers_done(std::int64_t body_length) = 0;
  virtual void on_body(std::string_view bytes) = 0;
  virtual void on_trailer(std::string_view, std::string_view) {}
  virtual void on_done() = 0;

 protected:
  ~ResponseHandler() = default;
};

// A server that never stops sending headers (one endless line, endless short lines, endless
// 1xx interim responses, endless trailers) meets one of these; each has its own error.
struct ParserLimits {
  std::size_t max_line = 64 * 1024;  // A status, header or trailer line (a 1 MiB line fails).
  std::size_t max_headers = 200;     // Header lines of one response; trailer lines apart.
  // Every status, header and trailer byte of the exchange, interim responses included
  // (curl allows 300 KB in all; Beast's default header_limit is 8 KiB).
  std::size_t max_header_bytes = 256 * 1024;
};

class ResponseParser {
 public:
  explicit ResponseParser(bool head_request, ParserLimits limits = {})
      : head_request_(head_request), limits_(limits) {}

  // Parses what it can of `data`; returns the bytes used. After on_done it uses nothing more.
  Result<std::size_t> feed(std::string_view data, ResponseHandler& handler);
  // The connection closed: completes a body read until close, else reports truncation.
  Result<void> finish_at_eof(ResponseHandler& handler);
  bool done() const { return state_ == State::done; }

 private:
  enum class State {
    status_line,
    headers,
    body_length,
    body_until_close,
    chunk_size,
    chunk_data,
    chunk_data_end,
    trailers,
    done
  };

  Result<std::size_t> take_line(std::string_view data, std::string_view& line) const;
  Result<void> on_status_line(std::string_view line, ResponseHandler& handler);
  Result<void> on_header_line(std::string_view line, ResponseHandler& handler);
  Result<void> start_body(ResponseHandler& handler);
  Result<void> on_chunk_size_line(std::string_view line, ResponseHandler& handler);
  Result<std::size_t> feed_body(std::string_view data, ResponseHandler& handler);
  Result<void> on_trailer_line(std::string_view line, ResponseHandler& handler);

  bool head_request_;
  ParserLimits limits_;
  State state_ = State::status_line;
  int status_ = 0;
  std::size_t header_count_ = 0;
  std::size_t trailer_count_ = 0;
  std::size_t header_bytes_ = 0;    // Never reset: interim responses count too.
  bool chunked_ = false;            // The last transfer coding is chunked.
  bool transfer_encoding_ = false;  // Any Transfer-Encoding: Content-Length no longer counts.
  std::int64_t content_length_ = -1;
  std::uint64_t remaining_ = 0;
};

}  // namespace soket::proto::http

template <>
struct std::is_error_code_enum<soket::proto::http::errc> : std::true_type {};
