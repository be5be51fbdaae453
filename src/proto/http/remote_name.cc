#include "proto/http/remote_name.h"

#include "core/error_category.h"

namespace soket::proto::http {
namespace {

const char* describe(remote_name_errc code) {
  switch (code) {
    case remote_name_errc::empty:
      return "the URL's path ends in '/', so it names no file";
    case remote_name_errc::dot_segment:
      return "the URL's last segment is '.' or '..', a folder rather than a file";
    case remote_name_errc::separator:
      return "the URL's last segment holds an escaped '/' or '\\', which would make it a path";
    case remote_name_errc::control:
      return "the URL's last segment holds an escaped control character";
    case remote_name_errc::too_long:
      return "the URL's last segment is longer than a file name may be (255 bytes)";
  }
  return "no file name in the URL";
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The segment with its %XX escapes decoded (a '%' not followed by two hex digits stays).
std::string decoded(std::string_view segment) {
  std::string out;
  for (std::size_t i = 0; i < segment.size(); ++i) {
    if (segment[i] == '%' && i + 2 < segment.size() && hex_value(segment[i + 1]) >= 0 &&
        hex_value(segment[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(segment[i + 1]) * 16 + hex_value(segment[i + 2]));
      i += 2;
    } else {
      out += segment[i];
    }
  }
  return out;
}

}  // namespace

const std::error_category& remote_name_error_category() {
  static const EnumErrorCategory<remote_name_errc> category("remote name", describe);
  return category;
}

std::error_code make_error_code(remote_name_errc e) {
  return {static_cast<int>(e), remote_name_error_category()};
}

Result<std::string> remote_file_name(const Url& url) {
  const std::string_view target = url.target;
  const std::string_view path = target.substr(0, target.find('?'));
  const auto slash = path.rfind('/');
  const std::string_view segment = slash == std::string_view::npos ? path : path.substr(slash + 1);
  if (segment.empty()) return make_error_code(remote_name_errc::empty);
  if (segment.size() > 255) return make_error_code(remote_name_errc::too_long);
  const std::string plain = decoded(segment);
  if (plain == "." || plain == "..") return make_error_code(remote_name_errc::dot_segment);
  for (const char c : plain) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '/' || c == '\\') return make_error_code(remote_name_errc::separator);
    if (u < 0x20 || u == 0x7F) return make_error_code(remote_name_errc::control);
  }
  return std::string(segment);
}

}  // namespace soket::proto::http
