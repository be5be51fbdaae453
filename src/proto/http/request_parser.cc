#include "proto/http/request_parser.h"

#include "proto/text/ascii.h"

namespace soket::proto::http {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// tchar (RFC 9110 section 5.6.2): the bytes a method or a field name is made of.
bool is_tchar(char c) {
  if (is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (!is_tchar(c)) return false;
  }
  return true;
}

// A request target is visible ASCII (RFC 9112 section 3.2): no space, no control byte, no
// DEL and nothing past 0x7F. One rule for a whole line and for the start of one, so that
// cutting a line never changes what it reads as.
bool is_target_text(std::string_view target) {
  for (const char c : target) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= ' ' || u >= 0x7F) return false;
  }
  return true;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

struct RequestLine {
  std::string_view method;
  std::string_view target;
  int major = 0;
  int minor = 0;
};

// request-line = method SP request-target SP HTTP-version   (RFC 9112 section 3)
// HTTP-version = "HTTP/" DIGIT "." DIGIT                     (RFC 9112 section 2.3)
// The target is taken as visible ASCII without spaces (RFC 3986 has no other bytes); its
// form is the server's to judge.
std::optional<RequestLine> split_request_line(std::string_view line) {
  const auto first = line.find(' ');
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = line.find(' ', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  RequestLine out{line.substr(0, first), line.substr(first + 1, second - first - 1)};
  const auto version = line.substr(second + 1);
  if (!is_token(out.method) || out.target.empty() || !is_target_text(out.target)) {
    return std::nullopt;
  }
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || !is_digit(version[5]) ||
      version[6] != '.' || !is_digit(version[7])) {
    return std::nullopt;
  }
  out.major = version[5] - '0';
  out.minor = version[7] - '0';
  return out;
}

// field-line = field-name ":" OWS field-value OWS   (RFC 9112 section 5)
// A name must be a token, so a space before the colon (section 5.1) fails here too. Values
// may hold HTAB and obs-text but no other control byte (RFC 9110 section 5.5).
bool take_field(std::string_view line, RequestHead& head) {
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) return false;
  const auto value = trim(line.substr(colon + 1));
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7F) return false;
  }
  head.fields.emplace_back(line.substr(0, colon), value);
  return true;
}

// Lines end in CR LF only: a bare CR is refused (RFC 9112 section 2.2 allows refusing it),
// and so is a bare LF, which the same section lets a recipient accept but no browser sends;
// being strict keeps one reading of where a line ends.
enum class LineEnd { ok, incomplete, bad };

LineEnd next_line(std::string_view window, std::size_t& at, std::string_view& line) {
  const auto lf = window.find('\n', at);
  const auto cr = window.find('\r', at);
  if (cr != std::string_view::npos && (lf == std::string_view::npos || cr + 1 < lf)) {
    // A CR that is not directly before an LF: bad, unless it is the last byte so far.
    return cr + 1 == window.size() ? LineEnd::incomplete : LineEnd::bad;
  }
  if (lf == std::string_view::npos) return LineEnd::incomplete;
  if (cr != lf - 1 || lf == at) return LineEnd::bad;
  line = window.substr(at, lf - 1 - at);
  at = lf + 1;
  return LineEnd::ok;
}

RequestParse fail(RequestStatus status) {
  RequestParse parse;
  parse.status = status;
  return parse;
}

}  // namespace

std::optional<std::string_view> RequestHead::field(std::string_view name) const {
  for (const auto& [key, value] : fields) {
    if (text::iequals(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

std::size_t RequestHead::count(std::string_view name) const {
  std::size_t n = 0;
  for (const auto& field : fields) n += text::iequals(field.first, name) ? 1 : 0;
  return n;
}

bool RequestHead::field_has_token(std::string_view name, std::string_view token) const {
  for (const auto& [key, value] : fields) {
    if (!text::iequals(key, name)) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      if (text::iequals(trim(rest.substr(0, comma)), token)) return true;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return false;
}

namespace {

// A target in the forms an origin server is asked for (RFC 9112 section 3.2): origin-form
// "/..." and asterisk-form "*". Absolute-form goes to proxies and authority-form to CONNECT,
// neither served here; and "PASSWORD word HTTP/1.1" must stay a chat line.
bool is_target_start(std::string_view target) {
  return target.starts_with('/') || target.starts_with('*');
}

}  // namespace

bool looks_like_request_line(std::string_view line) {
  const auto request_line = split_request_line(line);
  return request_line && is_target_start(request_line->target);
}

bool could_start_request_line(std::string_view start) {
  const auto first = start.find(' ');
  if (first == std::string_view::npos || !is_token(start.substr(0, first))) return false;
  const auto rest = start.substr(first + 1);
  const auto second = rest.find(' ');
  const auto target = rest.substr(0, second);
  if (rest.empty()) return true;  // The target is still to come.
  if (!is_target_start(target) || !is_target_text(target)) return false;
  if (second == std::string_view::npos) return true;  // The target goes on.
  return std::string_view("HTTP/").starts_with(rest.substr(second + 1, 5));
}

// Every verdict is made from complete lines inside the first kMaxRequestHead bytes only, so
// a prefix of the stream never gets an answer that the whole would not get.
RequestParse parse_request_head(std::string_view data) {
  const std::string_view window = data.substr(0, kMaxRequestHead);
  // A line that could not be taken: refused, or waited for while the window has room.
  const auto no_line = [&](LineEnd end) {
    if (end == LineEnd::bad) return fail(RequestStatus::bad_request);
    return fail(data.size() >= kMaxRequestHead ? RequestStatus::head_too_large
                                               : RequestStatus::need_more);
  };
  std::size_t at = 0;
  std::string_view line;
  if (const auto end = next_line(window, at, line); end != LineEnd::ok) return no_line(end);
  const auto request_line = split_request_line(line);
  if (!request_line || request_line->major == 0) return fail(RequestStatus::bad_request);
  if (request_line->major > 1) return fail(RequestStatus::bad_version);
  RequestParse parse;
  parse.head.method = request_line->method;
  parse.head.target = request_line->target;
  parse.head.minor_version = request_line->minor;
  for (;;) {
    // The empty line that ends the head (RFC 9112 section 2.1).
    if (window.substr(at, 2) == "\r\n") break;
    if (const auto end = next_line(window, at, line); end != LineEnd::ok) return no_line(end);
    // obs-fold (RFC 9112 section 5.2): a line that starts with white space continues the
    // last; a server may refuse it with 400, and does, so that no two readers disagree.
    if (line.front() == ' ' || line.front() == '\t') return fail(RequestStatus::bad_request);
    if (parse.head.fields.size() == kMaxHeaderFields) return fail(RequestStatus::head_too_large);
    if (!take_field(line, parse.head)) return fail(RequestStatus::bad_request);
  }
  parse.status = RequestStatus::done;
  parse.consumed = at + 2;
  return parse;
}

}  // namespace soket::proto::http
