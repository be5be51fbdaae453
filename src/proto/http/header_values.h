// Values of response headers that steer the client, parsed from hostile bytes: Content-Range
// (RFC 9110 section 14.4), which says where a partial body starts, and Retry-After (RFC 9110
// section 10.2.3), which says how long to wait before trying again. Both return nothing for
// anything they do not understand; the caller then treats the header as absent or wrong.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace soket::proto::http {

// Content-Range: "bytes first-last/complete" or "bytes first-last/*" (a 206), or
// "bytes */complete" (a 416). Unknown parts are -1.
struct ContentRange {
  std::int64_t first = -1, last = -1;
  std::int64_t complete = -1;  // The whole representation's length, when the server knows it.
};

// At most 18 decimal digits per number, so that nothing wraps; last >= first, and
// last < complete when both are known.
std::optional<ContentRange> parse_content_range(std::string_view value);

// Retry-After as delta-seconds ("120"), or as an HTTP-date (IMF-fixdate, "Sun, 06 Nov 1994
// 08:49:37 GMT") given as seconds after `now_unix` (0 when the date is past). Values past
// `cap_seconds` are cut to it.
std::optional<std::int64_t> parse_retry_after(std::string_view value, std::int64_t now_unix,
                                              std::int64_t cap_seconds);

}  // namespace soket::proto::http
