// The local file name `-O` takes from a URL: its path's last segment, as curl takes it (the
// query left out, percent-escapes kept as they are, so "a%20b" stays "a%20b"). It is only
// ever a name in the current folder, never a path: a segment that is empty, or that decodes
// to "." or "..", or that holds an escaped '/' or '\' ("a%2fb"), NUL or a control character,
// is refused with its own error.
#pragma once

#include <string>
#include <system_error>

#include "core/result.h"
#include "proto/http/url.h"

namespace soket::proto::http {

enum class remote_name_errc {
  empty = 1,    // The URL ends in '/' (or has no path).
  dot_segment,  // "." or ".." (plain or escaped): a folder, not a file.
  separator,    // An escaped '/' or '\': it would name a path once decoded.
  control,      // NUL or another control character, escaped.
  too_long,     // Past 255 bytes, the longest name Linux file systems take.
};
const std::error_category& remote_name_error_category();
std::error_code make_error_code(remote_name_errc e);

Result<std::string> remote_file_name(const Url& url);

}  // namespace soket::proto::http

template <>
struct std::is_error_code_enum<soket::proto::http::remote_name_errc> : std::true_type {};
