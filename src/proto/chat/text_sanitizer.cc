#include "proto/chat/text_sanitizer.h"

#include "proto/text/utf8.h"

namespace soket::proto::chat {
namespace {

constexpr char32_t kEscape = 0x1B;
constexpr char32_t kReplacement = 0xFFFD;

bool is_control(char32_t c) {
  return (c < 0x20 && c != '\t') || (c >= 0x7F && c <= 0x9F);
}

// The characters with Unicode's Bidi_Control property (ALM, LRM, RLM, the embeddings and
// overrides U+202A..U+202E, the isolates U+2066..U+2069), and the line and paragraph
// separators U+2028 and U+2029: a member could reverse or break the lines others see with
// them ("Trojan Source", CVE-2021-42574), so they go like control characters.
bool is_bidi_or_separator(char32_t c) {
  return c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x2028 && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069);
}

// How many bytes of `text` (which starts with ESC) the escape sequence takes (ECMA-48).
std::size_t escape_length(std::string_view text) {
  if (text.size() < 2) return text.size();
  const char kind = text[1];
  if (kind == '[') {  // CSI: parameters and intermediates 0x20..0x3F, then a final 0x40..0x7E.
    for (std::size_t i = 2; i < text.size(); ++i) {
      const auto c = static_cast<unsigned char>(text[i]);
      if (c >= 0x40 && c <= 0x7E) return i + 1;
      if (c < 0x20 || c > 0x3F) return i;  // Malformed: drop what was seen so far.
    }
    return text.size();
  }
  if (kind == ']' || kind == 'P' || kind == '_' || kind == '^') {  // OSC, DCS, APC, PM strings.
    for (std::size_t i = 2; i < text.size(); ++i) {
      if (text[i] == '\a') return i + 1;
      if (text[i] == '\x1b' && i + 1 < text.size() && text[i + 1] == '\\') return i + 2;
    }
    return text.size();
  }
  return 2;  // ESC and one more byte (e.g. "ESC c", reset).
}

}  // namespace

std::string sanitize(std::string_view text) {
  std::string clean;
  clean.reserve(text.size());
  while (!text.empty()) {
    const auto unit = text::decode_utf8(text);
    if (unit.valid && unit.code_point == kEscape) {
      text.remove_prefix(escape_length(text));
      continue;
    }
    text.remove_prefix(unit.length);
    if (!unit.valid) {
      text::append_utf8(clean, kReplacement);
    } else if (!is_control(unit.code_point) && !is_bidi_or_separator(unit.code_point)) {
      text::append_utf8(clean, unit.code_point);
    }
  }
  return clean;
}

}  // namespace soket::proto::chat
