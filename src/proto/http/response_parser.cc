#include "proto/http/response_parser.h"

#include "core/error_category.h"
#include "proto/text/ascii.h"

#include <cctype>
#include <charconv>
#include <string>

namespace soket::proto::http {
namespace {

const char* describe(errc code) {
  switch (code) {
    case errc::bad_status_line:
      return "malformed status line";
    case errc::bad_header:
      return "malformed header line";
    case errc::obsolete_folding:
      return "obsolete header line folding";
    case errc::header_too_long:
      return "a status or header line is too long";
    case errc::too_many_headers:
      return "too many header lines";
    case errc::bad_content_length:
      return "invalid Content-Length";
    case errc::bad_chunk_size:
      return "invalid chunk size";
    case errc::bad_chunk_end:
      return "chunk data not followed by CRLF";
    case errc::truncated_headers:
      return "the connection closed inside the headers";
    case errc::truncated_body:
      return "the connection closed before the body ended";
    case errc::body_too_large:
      return "a body length too large to handle";
    case errc::headers_too_large:
      return "the headers are too large in all";
  }
  return "malformed HTTP response";
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// token = 1*tchar (RFC 9110 section 5.6.2).
bool is_token(std::string_view name) {
  if (name.empty()) return false;
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    const bool ok = std::isalnum(u) != 0 ||
                    std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

// The last transfer coding, lower-cased comparison: is it "chunked"?
bool ends_chunked(std::string_view value) {
  const auto comma = value.rfind(',');
  return text::iequals(trim(comma == std::string_view::npos ? value : value.substr(comma + 1)),
                       "chunked");
}

}  // namespace

const std::error_category& error_category() {
  static const EnumErrorCategory<errc> category("http", describe);
  return category;
}

std::error_code make_error_code(errc e) {
  return {static_cast<int>(e), error_category()};
}

// A line ends in CRLF (a bare LF is accepted, RFC 9112 section 2.2). Returns the bytes up to
// and including the end, 0 when the line is not complete yet.
Result<std::size_t> ResponseParser::take_line(std::string_view data, std::string_view& line) const {
  const auto end = data.find('\n');
  if (end == std::string_view::npos) {
    if (data.size() > limits_.max_line) return make_error_code(errc::header_too_long);
    return std::size_t{0};
  }
  if (end > limits_.max_line) return make_error_code(errc::header_too_long);
  line = data.substr(0, end);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return end + 1;
}

// status-line = HTTP-version SP status-code SP [ reason-phrase ]
Result<void> ResponseParser::on_status_line(std::string_view line, ResponseHandler& handler) {
  if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || line[8] != ' ' ||
      (line[7] != '0' && line[7] != '1')) {
    return make_error_code(errc::bad_status_line);
  }
  int status = 0;
  const auto code = line.substr(9, 3);
  const auto [end, ec] = std::from_chars(code.data(), code.data() + 3, status);
  if (ec != std::errc() || end != code.data() + 3 || status < 100 || status > 999 ||
      (line.size() > 12 && line[12] != ' ')) {
    return make_error_code(errc::bad_status_line);
  }
  status_ = status;
  header_count_ = 0;
  content_length_ = -1;
  chunked_ = false;
  transfer_encoding_ = false;
  if (status_ >= 200)
    handler.on_status(line[7] - '0', status_, line.size() > 13 ? line.substr(13) : "");
  state_ = State::headers;
  return {};
}

Result<void> ResponseParser::on_header_line(std::string_view line, ResponseHandler& handler) {
  if (line.front() == ' ' || line.front() == '\t') return make_error_code(errc::obsolete_folding);
  if (++header_count_ > limits_.max_headers) return make_error_code(errc::too_many_headers);
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) {
    return make_error_code(errc::bad_header);
  }
  const auto name = line.substr(0, colon);
  const auto value = trim(line.substr(colon + 1));
  for (const char c : value) {
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F)
      return make_error_code(errc::bad_header);
  }
  if (text::iequals(name, "Content-Length")) {
    std::int64_t length = -1;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), length);
    if (ec == std::errc::result_out_of_range) return make_error_code(errc::body_too_large);
    if (ec != std::errc() || end != value.data() + value.size() || length < 0 ||
        (content_length_ >= 0 && content_length_ != length)) {
      return make_error_code(errc::bad_content_length);
    }
    content_length_ = length;
  } else if (text::iequals(name, "Transfer-Encoding")) {
    // Several lines make one list (RFC 9110 section 5.3): the last line's last coding is
    // the list's last.
    transfer_encoding_ = true;
    chunked_ = ends_chunked(value);
  }
  if (status_ >= 200) handler.on_header(name, value);
  return {};
}

// RFC 9112 section 6.3: which of the body's framings applies.
Result<void> ResponseParser::start_body(ResponseHandler& handler) {
  if (status_ < 200) {  // 1xx: an interim response; the real one follows.
    state_ = State::status_line;
    return {};
  }
  const bool no_body = head_request_ || status_ == 204 || status_ == 304;
  if (no_body) {
    handler.on_headers_done(0);
    state_ = State::done;
    handler.on_done();
    return {};
  }
  // Transfer-Encoding overrides Content-Length (item 3); when its last coding is not chunked,
  // the body runs until the close (item 4).
  if (chunked_) {
    handler.on_headers_done(-1);
    state_ = State::chunk_size;
  } else if (content_length_ >= 0 && !transfer_encoding_) {
    handler.on_headers_done(content_length_);
    remaining_ = static_cast<std::uint64_t>(content_length_);
    state_ = State::body_length;
    if (remaining_ == 0) {
      state_ = State::done;
      handler.on_done();
    }
  } else {
    handler.on_headers_done(-1);
    state_ = State::body_until_close;
  }
  return {};
}

// chunk-size [ chunk-ext ] CRLF, the size in hex (RFC 9112 section 7.1).
Result<void> ResponseParser::on_chunk_size_line(std::string_view line, ResponseHandler& handler) {
  const auto semicolon = line.find(';');
  auto digits = trim(line.substr(0, semicolon));
  // Leading zeros carry no value; past them, more than 15 hex digits (60 bits) is a size no
  // body has, and a parse that wrapped would desynchronise the framing: refuse it.
  while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
  if (digits.empty() || digits.size() > 15) return make_error_code(errc::bad_chunk_size);
  std::uint64_t size = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), size, 16);
  if (ec != std::errc() || end != digits.data() + digits.size())
    return make_error_code(errc::bad_chunk_size);
  if (size == 0) {
    state_ = State::trailers;
    return {};
  }
  remaining_ = size;
  state_ = State::chunk_data;
  (void)handler;
  return {};
}

// trailer-section = *( field-line CRLF ), then an empty line (RFC 9112 section 7.1.2).
Result<void> ResponseParser::on_trailer_line(std::string_view line, ResponseHandler& handler) {
  if (line.empty()) {
    state_ = State::done;
    handler.on_done();
    return {};
  }
  if (++trailer_count_ > limits_.max_headers) return make_error_code(errc::too_many_headers);
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return make_error_code(errc::bad_header);
  handler.on_trailer(line.substr(0, colon), trim(line.substr(colon + 1)));
  return {};
}

Result<std::size_t> ResponseParser::feed_body(std::string_view data, ResponseHandler& handler) {
  const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, data.size()));
  if (take > 0) handler.on_body(data.substr(0, take));
  remaining_ -= take;
  if (remaining_ == 0) {
    if (state_ == State::body_length) {
      state_ = State::done;
      handler.on_done();
    } else {
      state_ = State::chunk_data_end;
    }
  }
  return take;
}

Result<std::size_t> ResponseParser::feed(std::string_view data, ResponseHandler& handler) {
  std::size_t used = 0;
  while (used < data.size() && state_ != State::done) {
    const auto rest = data.substr(used);
    if (state_ == State::body_until_close) {
      handler.on_body(rest);
      return data.size();
    }
    if (state_ == State::body_length || state_ == State::chunk_data) {
      auto taken = feed_body(rest, handler);
      used += *taken;
      continue;
    }
    if (state_ == State::chunk_data_end) {  // Exactly CRLF (or LF) after the chunk's data.
      if (rest.substr(0, 2) == "\r\n" || rest.front() == '\n') {
        used += rest.front() == '\n' ? 1 : 2;
        state_ = State::chunk_size;
        continue;
      }
      if (rest == "\r") break;
      return make_error_code(errc::bad_chunk_end);
    }
    std::string_view line;
    auto taken = take_line(rest, line);
    if (!taken) return taken.error();
    if (*taken == 0) break;  // An unfinished line: wait for more.
    used += *taken;
    if (state_ != State::chunk_size) {  // Status, header and trailer lines.
      header_bytes_ += *taken;
      if (header_bytes_ > limits_.max_header_bytes) return make_error_code(errc::headers_too_large);
    }
    Result<void> step;
    switch (state_) {
      case State::status_line:
        step = on_status_line(line, handler);
        break;
      case State::headers:
        step = line.empty() ? start_body(handler) : on_header_line(line, handler);
        break;
      case State::chunk_size:
        step = on_chunk_size_line(line, handler);
        break;
      case State::trailers:
        step = on_trailer_line(line, handler);
        break;
      default:
        break;
    }
    if (!step) return step.error();
  }
  return used;
}

Result<void> ResponseParser::finish_at_eof(ResponseHandler& handler) {
  switch (state_) {
    case State::done:
      return {};
    case State::body_until_close:
      state_ = State::done;
      handler.on_done();
      return {};
    case State::status_line:
    case State::headers:
      return make_error_code(errc::truncated_headers);
    default:
      return make_error_code(errc::truncated_body);
  }
}

}  // namespace soket::proto::http
