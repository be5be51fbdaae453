// Strict UTF-8 decoding (RFC 3629 section 3): no overlong forms, no surrogates, nothing past
// U+10FFFF. A byte that does not start a valid sequence is reported as one invalid unit, so
// that callers can pass it through unchanged.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace soket::proto::text {

struct Utf8Unit {
  char32_t code_point = 0;  // Valid only when `valid`.
  std::size_t length = 1;   // Bytes taken: 1..4, or 1 for an invalid byte.
  bool valid = false;
};

// Decodes the unit at the start of `bytes` (which must not be empty).
Utf8Unit decode_utf8(std::string_view bytes);
void append_utf8(std::string& out, char32_t code_point);
// Code points, with each invalid byte counted as one.
std::size_t count_characters(std::string_view bytes);

}  // namespace soket::proto::text
