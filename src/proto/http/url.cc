#include "proto/http/url.h"

#include "core/error_category.h"
#include "proto/text/ascii.h"

#include <fmt/core.h>

#include <cctype>
#include <charconv>

namespace soket::proto::http {
namespace {

const char* describe(url_errc code) {
  switch (code) {
    case url_errc::bad_scheme:
      return "only http:// and https:// URLs are supported";
    case url_errc::no_host:
      return "the URL has no host";
    case url_errc::bad_port:
      return "the URL's port is not a number in 1..65535";
    case url_errc::bad_host:
      return "the URL's host is not valid";
    case url_errc::has_userinfo:
      return "user:password@ in URLs is not supported";
  }
  return "bad URL";
}

bool is_hex(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}

// Percent-encodes what a request target may not hold; keeps valid %XX escapes as they are.
std::string encode_target(std::string_view raw) {
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const auto c = static_cast<unsigned char>(raw[i]);
    if (c == '%' && i + 2 < raw.size() && is_hex(raw[i + 1]) && is_hex(raw[i + 2])) {
      out.push_back('%');
      continue;
    }
    if (c <= 0x20 || c >= 0x7F || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' ||
        c == '`' || c == '{' || c == '|' || c == '}' || c == '%') {
      out += fmt::format("%{:02X}", c);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out.empty() || out[0] != '/' ? "/" + out : out;
}

// The length of the scheme `text` starts with (RFC 3986 section 3.1: ALPHA *( ALPHA / DIGIT /
// "+" / "-" / "." ), then "://"), or 0 when it starts with none: "127.0.0.1:80/?u=http://x"
// has no scheme, whatever its query holds.
std::size_t scheme_length(std::string_view text) {
  if (text.empty() || std::isalpha(static_cast<unsigned char>(text[0])) == 0) return 0;
  std::size_t n = 1;
  while (n < text.size() && (std::isalnum(static_cast<unsigned char>(text[n])) != 0 ||
                             text[n] == '+' || text[n] == '-' || text[n] == '.'))
    ++n;
  return text.substr(n, 3) == "://" ? n : 0;
}

Result<void> parse_authority(std::string_view authority, Url& url) {
  if (authority.find('@') != std::string_view::npos) return make_error_code(url_errc::has_userinfo);
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return make_error_code(url_errc::bad_host);
    url.host = std::string(authority.substr(1, close - 1));
    const auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return make_error_code(url_errc::bad_host);
      port_text = after.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (url.host.empty()) return make_error_code(url_errc::no_host);
  for (const char c : url.host) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F || c == '/' || c == '?' || c == '#')
      return make_error_code(url_errc::bad_host);
  }
  if (!port_text.empty()) {
    unsigned port = 0;
    const auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      return make_error_code(url_errc::bad_port);
    }
    url.port = static_cast<std::uint16_t>(port);
  }
  return {};
}

}  // namespace

const std::error_category& url_error_category() {
  static const EnumErrorCategory<url_errc> category("url", describe);
  return category;
}

std::error_code make_error_code(url_errc e) {
  return {static_cast<int>(e), url_error_category()};
}

std::string Url::authority() const {
  const std::string bracketed = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return default_port() ? bracketed : bracketed + ":" + std::to_string(port);
}

std::string Url::to_string() const {
  return (https ? "https://" : "http://") + authority() + target;
}

Result<Url> parse_url(std::string_view text) {
  // A URL without a scheme means http, as curl guesses: "127.0.0.1:8080/x", "example.com".
  const std::size_t scheme_end = scheme_length(text);
  if (scheme_end == 0) {
    if (text.empty()) return make_error_code(url_errc::no_host);
    return parse_url("http://" + std::string(text));
  }
  Url url;
  const std::string scheme = proto::text::to_lower(text.substr(0, scheme_end));
  if (scheme != "http" && scheme != "https") return make_error_code(url_errc::bad_scheme);
  url.https = scheme == "https";
  url.port = url.https ? 443 : 80;
  text.remove_prefix(scheme_end + 3);
  if (const auto hash = text.find('#'); hash != std::string_view::npos) text = text.substr(0, hash);
  const auto path_start = text.find_first_of("/?");
  if (auto r = parse_authority(text.substr(0, path_start), url); !r) return r.error();
  url.target = path_start == std::string_view::npos ? "/" : encode_target(text.substr(path_start));
  return url;
}

Result<Url> resolve_location(const Url& base, std::string_view location) {
  if (scheme_length(location) > 0) return parse_url(location);
  if (location.substr(0, 2) == "//")
    return parse_url((base.https ? "https:" : "http:") + std::string(location));
  Url url = base;
  if (!location.empty() && location.front() == '/') {
    url.target = encode_target(location);
  } else {  // Relative to the base path's directory.
    const std::string path = base.target.substr(0, base.target.find('?'));
    url.target = encode_target(path.substr(0, path.rfind('/') + 1) + std::string(location));
  }
  return url;
}

bool same_origin(const Url& a, const Url& b) {
  return a.https == b.https && a.port == b.port && text::iequals(a.host, b.host);
}

}  // namespace soket::proto::http
