#include "proto/transform/transform.h"

#include <fmt/core.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include <charconv>
#include <iterator>
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
  // ASCII answered without ICU: TAB..CR and SPACE are its White_Space characters.
  if (c < 0x80) return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1C && c <= 0x1F);
  return u_isUWhiteSpace(c);
}

// ASCII letters map one to one in every locale but Turkish and Azeri, which the root locale
// is not: a bit flip gives what ICU would, at a fraction of a call into it per letter.
// Branch-free, so that a loop over a whole ASCII message vectorises.
char ascii_inverted(char ascii) {
  const auto c = static_cast<unsigned char>(ascii);
  const bool letter = static_cast<unsigned char>((c | 0x20) - 'a') < 26;
  return static_cast<char>(letter ? c ^ 0x20 : c);
}

// Full case mapping of one character (SpecialCasing.txt included, root locale), so one
// character may become several: U+00DF "ß" uppercases to "SS".
void append_case_inverted(std::string& out, char32_t code_point) {
  if (code_point < 0x80) {
    out.push_back(ascii_inverted(static_cast<char>(code_point)));
    return;
  }
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

namespace {

bool is_ascii(std::string_view message) {
  for (const char c : message) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// Processes 1 and 3 appended to `out`; returns process 2's count.
std::size_t append_transformed(std::string& out, std::string_view message) {
  if (is_ascii(message)) {  // The common case, without decoding: one byte, one character.
    std::size_t first = 0, last = message.size();
    const auto space = [&](std::size_t i) { return is_space({char32_t(message[i]), true, 0}); };
    while (first < last && space(first)) ++first;
    while (last > first && space(last - 1)) --last;
    const std::size_t at = out.size();
    out.resize(at + (last - first));
    char* to = out.data() + at;
    for (std::size_t i = first; i < last; ++i) *to++ = ascii_inverted(message[i]);
    return message.size();
  }
  const std::vector<Unit> units = decode(message);
  // Inverting case never turns space into non-space or back, so stripping first is the same
  // as stripping after, and cheaper.
  std::size_t first = 0, last = units.size();
  while (first < last && is_space(units[first])) ++first;
  while (last > first && is_space(units[last - 1])) --last;
  for (std::size_t i = first; i < last; ++i) {
    if (units[i].valid) {
      append_case_inverted(out, units[i].code_point);
    } else {
      out.push_back(units[i].raw);
    }
  }
  return units.size();
}

}  // namespace

Transformed transform_text(std::string_view message) {
  Transformed result{{}, 0};
  result.text.reserve(message.size());
  result.count = append_transformed(result.text, message);
  return result;
}

std::string format_timestamp(const LocalTime& t) {
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", t.year, t.month, t.day, t.hour,
                     t.minute, t.second);
}

void append_reply(std::string& out, std::string_view message, std::string_view timestamp) {
  const std::size_t count = append_transformed(out, message);
  char digits[24];
  const auto end = std::to_chars(std::begin(digits), std::end(digits), count).ptr;
  out += " | ";
  out.append(digits, end);
  out += " karakter | ";
  out += timestamp;
  out += " | ";
  out += kConfirmation;
}

std::string make_reply(std::string_view message, const LocalTime& time) {
  std::string reply;
  append_reply(reply, message, format_timestamp(time));
  return reply;
}

}  // namespace soket::proto::transform
