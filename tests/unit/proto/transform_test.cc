#include "proto/transform/transform.h"

#include <gtest/gtest.h>
#include <unicode/uchar.h>

namespace soket::proto::transform {
namespace {

struct Vector {
  std::string message;
  std::string text;
  std::size_t count;
};

TEST(Transform, TheIssueVectors) {
  const Vector vectors[] = {
      {"Hello World", "hELLO wORLD", 11},
      {"  ipin  ", "IPIN", 8},
      {"Stra\u00DFe", "sTRASSE", 6},
      {"\u00C9COLE \u00E9t\u00E9", "\u00E9cole \u00C9T\u00C9", 9},
      {"123 !?", "123 !?", 6},
      {"", "", 0},
  };
  for (const auto& v : vectors) {
    const auto got = transform_text(v.message);
    EXPECT_EQ(got.text, v.text) << v.message;
    EXPECT_EQ(got.count, v.count) << v.message;
  }
}

TEST(Transform, MoreOfUnicode) {
  const Vector vectors[] = {
      {"\u03A3\u03C3\u03C2", "\u03C3\u03A3\u03A3", 3},  // Greek sigmas, one at a time.
      {"\u0130", "i\u0307", 1},                         // Dotted capital I: full lowering.
      {"\uFB01", "FI", 1},                              // The "fi" ligature uppercases to two.
      {"\u01C5", "\u01C5", 1},                          // Title case: neither upper nor lower.
      {"\u24B6", "\u24D0", 1},                          // Circled A: Other_Uppercase.
      {"\u00A0x\u3000", "X", 3},                        // No-break and ideographic spaces.
      {"\t\x1c mixed CASE \x1f", "MIXED case", 15},     // Python's isspace includes \x1c..\x1f.
      {"\U0001F600 ok", "\U0001F600 OK", 4},            // Outside the BMP.
      {"\u4E2D\u6587", "\u4E2D\u6587", 2},              // No case at all.
  };
  for (const auto& v : vectors) {
    const auto got = transform_text(v.message);
    EXPECT_EQ(got.text, v.text) << v.message;
    EXPECT_EQ(got.count, v.count) << v.message;
  }
}

TEST(Transform, InvalidUtf8PassesThroughAndCountsOneEach) {
  const auto got = transform_text("a\xFF\xC3(b");
  EXPECT_EQ(got.text, "A\xFF\xC3(B");
  EXPECT_EQ(got.count, 5u);
}

TEST(Transform, NulIsACharacterLikeAnyOther) {
  const auto got = transform_text(std::string_view("x\0Y", 3));
  EXPECT_EQ(got.text, std::string("X\0y", 3));
  EXPECT_EQ(got.count, 3u);
}

TEST(Transform, ReplyHasTheFourFields) {
  const LocalTime time{2026, 11, 21, 7, 5, 9};
  EXPECT_EQ(make_reply("Hello World", time),
            "hELLO wORLD | 11 karakter | 2026-11-21 07:05:09 | Data telah diproses");
  EXPECT_EQ(make_reply("", time), " | 0 karakter | 2026-11-21 07:05:09 | Data telah diproses");
}

// ASCII takes a path without ICU; ICU itself is the oracle that it answers the same, for
// every ASCII character: the case it maps to, and whether it is stripped at the ends.
TEST(Transform, AsciiAnswersAsIcuDoes) {
  for (int c = 0; c < 0x80; ++c) {
    const char ch = static_cast<char>(c);
    const UChar32 inverted = u_isUUppercase(c)   ? u_tolower(c)
                             : u_isULowercase(c) ? u_toupper(c)
                                                 : c;
    const auto inside = transform_text(std::string{'x', ch, 'x'});
    EXPECT_EQ(inside.text, (std::string{'X', static_cast<char>(inverted), 'X'})) << c;
    const bool space = u_isUWhiteSpace(c) || (c >= 0x1C && c <= 0x1F);
    const auto at_end = transform_text(std::string{'a', ch});
    const std::string kept{'A', static_cast<char>(inverted)};
    EXPECT_EQ(at_end.text, space ? std::string("A") : kept) << c;
    EXPECT_EQ(at_end.count, 2u);
  }
}

TEST(Transform, AppendReplyBuildsOnWhatIsThere) {
  std::string out = "first\n";
  append_reply(out, " Hi ", "2026-11-21 07:05:09");
  EXPECT_EQ(out, "first\nhI | 4 karakter | 2026-11-21 07:05:09 | Data telah diproses");
}

}  // namespace
}  // namespace soket::proto::transform
