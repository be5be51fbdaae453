#include "proto/transform/transform.h"

#include <fmt/core.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include <vector>

#include "proto/text/utf8.h"

namespace soket::proto::transform {
namespace {

// One unit of the message: a decoded character, or an invalid byte kept as it was.
struct Unit {
  char32_t code_point;
  bool valid;
  char raw;
};

// Python's str.isspace(): the White_Space property, plus U+001C..U+001F (which Python also
// counts as space, being bidirectional class B or S).
bool is_space(const Unit& unit) {
  if (!unit.valid) return false;
  const auto c = static_cast<UChar32>(unit.code_point);
  return u_isUWhiteSpace(c) || (c >= 0x1C && c <= 0x1F);
}

// Full case mapping of one character (SpecialCasing.txt included, root locale), so one
// character may become several: U+00DF "ß" uppercases to "SS".
void append_case_inverted(std::string& out, char32_t code_point) {
  const auto c = static_cast<UChar32>(code_point);
  const bool upper = u_isUUppercase(c), lower = u_isULowercase(c);
  if (!upper && !lower) {
    text::append_utf8(out, code_point);
    return;
  }
  UChar source[2];
  int32_t source_length = 0;
  UBool error_flag = false;
  U16_APPEND(source, source_length, 2, c, error_flag);
  UChar mapped[16];
  UErrorCode status = U_ZERO_ERROR;
  const int32_t length = upper ? u_strToLower(mapped, 16, source, source_length, "", &status)
                               : u_strToUpper(mapped, 16, source, source_length, "", &status);
  if (U_FAILURE(status) || error_flag) {
    text::append_utf8(out, code_point);
    return;
  }
  for (int32_t i = 0; i < length;) {
    UChar32 m;
    U16_NEXT(mapped, i, length, m);
    text::append_utf8(out, static_cast<char32_t>(m));
  }
}

std::vector<Unit> decode(std::string_view message) {
  std::vector<Unit> units;
  units.reserve(message.size());
  while (!message.empty()) {
    const auto unit = text::decode_utf8(message);
    units.push_back({unit.code_point, unit.valid, message.front()});
    message.remove_prefix(unit.length);
  }
  return units;
}

}  // namespace

Transformed transform_text(std::string_view message) {
  const std::vector<Unit> units = decode(message);
  // Inverting case never turns space into non-space or back, so stripping first is the same
  // as stripping after, and cheaper.
  std::size_t first = 0, last = units.size();
  while (first < last && is_space(units[first])) ++first;
  while (last > first && is_space(units[last - 1])) --last;
  Transformed result{{}, units.size()};
  result.text.reserve(message.size());
  for (std::size_t i = first; i < last; ++i) {
    if (units[i].valid) {
      append_case_inverted(result.text, units[i].code_point);
    } else {
      result.text.push_back(units[i].raw);
    }
  }
  return result;
}

std::string format_timestamp(const LocalTime& t) {
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", t.year, t.month, t.day, t.hour,
                     t.minute, t.second);
}

std::string make_reply(std::string_view message, const LocalTime& time) {
  const Transformed transformed = transform_text(message);
  return fmt::format("{} | {} karakter | {} | {}", transformed.text, transformed.count,
                     format_timestamp(time), kConfirmation);
}

}  // namespace soket::proto::transform
