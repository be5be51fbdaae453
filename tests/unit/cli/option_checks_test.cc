// The option checks: each accepts what is inside its bounds and words its refusal for people.
#include "cli/option_checks.h"

#include <gtest/gtest.h>

namespace soket::cli {
namespace {

std::string check(const CLI::Validator& validator, std::string text) {
  return validator(text);
}

TEST(OptionChecks, SecondsBetweenAcceptsTheBoundsAndFractions) {
  const auto timeout = seconds_between(0.001, 3600);
  for (const char* ok : {"0.001", "1", "2.5", "3600", "1e3"})
    EXPECT_EQ(check(timeout, ok), "") << ok;
}

TEST(OptionChecks, SecondsBetweenNamesTheBoundsAsPeopleWriteThem) {
  const auto timeout = seconds_between(0.001, 3600);
  for (const char* bad : {"0", "0.0009", "3600.5", "-1"}) {
    EXPECT_EQ(check(timeout, bad), "must be between 0.001 and 3600 seconds") << bad;
  }
  EXPECT_EQ(check(seconds_between(0.1, 86400), "0"), "must be between 0.1 and 86400 seconds");
  for (const char* bad : {"abc", "", "5s", " 5", "nan", "inf"}) {
    EXPECT_EQ(check(timeout, bad), std::string("must be a number of seconds, not '") + bad + "'");
  }
}

TEST(OptionChecks, CountBetweenTakesWholeNumbersOnly) {
  const auto tries = count_between(1, 100);
  EXPECT_EQ(check(tries, "1"), "");
  EXPECT_EQ(check(tries, "100"), "");
  EXPECT_EQ(check(tries, "0"), "must be between 1 and 100");
  EXPECT_EQ(check(tries, "101"), "must be between 1 and 100");
  EXPECT_EQ(check(tries, "1.5"), "must be a whole number, not '1.5'");
  EXPECT_EQ(check(tries, "99999999999999999999"),
            "must be a whole number, not '99999999999999999999'");
  EXPECT_EQ(check(count_between(0, 3600, "seconds"), "3601"), "must be between 0 and 3600 seconds");
  EXPECT_EQ(check(count_between(0, 3600, "seconds"), "x"),
            "must be a whole number of seconds, not 'x'");
}

TEST(OptionChecks, BytesBetweenShowsBinaryUnits) {
  const auto output = bytes_between(4096, std::uint64_t{2} << 30);
  EXPECT_EQ(check(output, "4096"), "");
  EXPECT_EQ(check(output, "4095"), "must be between 4096 and 2147483648 bytes (4 KiB to 2 GiB)");
  EXPECT_EQ(check(output, "-1"), "must be a whole number of bytes, not '-1'");
  EXPECT_EQ(check(bytes_between(1, 16 << 20), "0"),
            "must be between 1 and 16777216 bytes (1 byte to 16 MiB)");
}

TEST(OptionChecks, OneOfListsTheChoices) {
  const auto backend = one_of({"epoll", "io_uring"});
  EXPECT_EQ(check(backend, "epoll"), "");
  EXPECT_EQ(check(backend, "io_uring"), "");
  EXPECT_EQ(check(backend, "uring"), "must be one of epoll, io_uring");
  EXPECT_EQ(check(backend, "EPOLL"), "must be one of epoll, io_uring");
}

TEST(OptionChecks, NumbersPrintWithoutTrailingZeros) {
  EXPECT_EQ(number_text(0.001), "0.001");
  EXPECT_EQ(number_text(86400), "86400");
  EXPECT_EQ(number_text(864000), "864000");
  EXPECT_EQ(bytes_text(1500), "1500 bytes");
  EXPECT_EQ(bytes_text(std::uint64_t{1} << 40), "1 TiB");
  EXPECT_EQ(bytes_text(3 * 1024), "3 KiB");
}

}  // namespace
}  // namespace soket::cli
