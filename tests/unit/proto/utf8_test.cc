#include "proto/text/utf8.h"

#include <gtest/gtest.h>

namespace soket::proto::text {
namespace {

TEST(Utf8, DecodesEachLength) {
  EXPECT_EQ(decode_utf8("A").code_point, U'A');
  EXPECT_EQ(decode_utf8("\xC3\xA9").code_point, U'\u00E9');
  EXPECT_EQ(decode_utf8("\xE2\x82\xAC").code_point, U'\u20AC');
  const auto emoji = decode_utf8("\xF0\x9F\x98\x80");
  EXPECT_TRUE(emoji.valid);
  EXPECT_EQ(emoji.code_point, U'\U0001F600');
  EXPECT_EQ(emoji.length, 4u);
}

TEST(Utf8, RejectsWhatRfc3629Forbids) {
  for (std::string_view bad : {
           std::string_view("\x80"),              // A lone continuation byte.
           std::string_view("\xC0\xAF"),          // Overlong "/".
           std::string_view("\xE0\x80\xAF"),      // Overlong, three bytes.
           std::string_view("\xED\xA0\x80"),      // A surrogate, U+D800.
           std::string_view("\xF4\x90\x80\x80"),  // Past U+10FFFF.
           std::string_view("\xFF"),              // Never valid.
           std::string_view("\xE2\x82"),          // Truncated.
           std::string_view("\xC3\x41"),          // Continuation missing.
       }) {
    const auto unit = decode_utf8(bad);
    EXPECT_FALSE(unit.valid) << testing::PrintToString(bad);
    EXPECT_EQ(unit.length, 1u);  // Each invalid byte stands alone.
  }
}

TEST(Utf8, EncodesWhatItDecodes) {
  for (char32_t c : {U'\0', U'a', U'\u00DF', U'\u0800', U'\uFFFD', U'\U00010000', U'\U0010FFFF'}) {
    std::string encoded;
    append_utf8(encoded, c);
    const auto unit = decode_utf8(encoded);
    EXPECT_TRUE(unit.valid);
    EXPECT_EQ(unit.code_point, c);
    EXPECT_EQ(unit.length, encoded.size());
  }
}

TEST(Utf8, CountsCodePointsAndInvalidBytes) {
  EXPECT_EQ(count_characters(""), 0u);
  EXPECT_EQ(count_characters("Stra\xC3\x9F"
                             "e"),
            6u);
  EXPECT_EQ(count_characters("\xFF\xFE"
                             "a"),
            3u);
  EXPECT_EQ(count_characters(std::string_view("a\0b", 3)), 3u);
}

}  // namespace
}  // namespace soket::proto::text
