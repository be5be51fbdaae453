#include "proto/http/header_values.h"

#include <array>
#include <charconv>

namespace soket::proto::http {
namespace {

constexpr std::size_t kMaxDigits = 18;  // 10^18 - 1 fits an int64_t with room to spare.

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// A whole run of 1 to 18 digits, nothing else.
std::optional<std::int64_t> number(std::string_view text) {
  if (text.empty() || text.size() > kMaxDigits) return std::nullopt;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  std::int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

// Days from 1970-01-01 to the given civil date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// IMF-fixdate (RFC 9110 section 5.6.7), the only form a sender may generate:
//   Sun, 06 Nov 1994 08:49:37 GMT
//   0    5  8   12   17 20 23 26
std::optional<std::int64_t> imf_fixdate(std::string_view text) {
  if (text.size() != 29 || text[3] != ',' || text[4] != ' ' || text[7] != ' ' || text[11] != ' ' ||
      text[16] != ' ' || text[19] != ':' || text[22] != ':' || text.substr(25) != " GMT") {
    return std::nullopt;
  }
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  unsigned month = 0;
  for (unsigned i = 0; i < kMonths.size(); ++i) {
    if (text.substr(8, 3) == kMonths[i]) month = i + 1;
  }
  const auto day = number(text.substr(5, 2)), year = number(text.substr(12, 4));
  const auto hour = number(text.substr(17, 2)), minute = number(text.substr(20, 2));
  const auto second = number(text.substr(23, 2));
  if (month == 0 || !day || !year || !hour || !minute || !second || *day < 1 || *day > 31 ||
      *hour > 23 || *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  return days_from_civil(*year, month, static_cast<unsigned>(*day)) * 86400 + *hour * 3600 +
         *minute * 60 + *second;
}

}  // namespace

std::optional<ContentRange> parse_content_range(std::string_view value) {
  value = trim(value);
  // Content-Range = range-unit SP ( range-resp / unsatisfied-range )
  //   range-resp = first-pos "-" last-pos "/" ( complete-length / "*" )
  //   unsatisfied-range = "*/" complete-length
  if (value.substr(0, 6) != "bytes ") return std::nullopt;
  value.remove_prefix(6);
  const auto slash = value.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::string_view range = value.substr(0, slash), complete = value.substr(slash + 1);
  ContentRange result;
  if (complete != "*") {
    const auto length = number(complete);
    if (!length) return std::nullopt;
    result.complete = *length;
  }
  if (range == "*") {
    if (result.complete < 0) return std::nullopt;  // "*/*" says nothing.
    return result;
  }
  const auto dash = range.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const auto first = number(range.substr(0, dash)), last = number(range.substr(dash + 1));
  if (!first || !last || *last < *first) return std::nullopt;
  if (result.complete >= 0 && *last >= result.complete) return std::nullopt;
  result.first = *first;
  result.last = *last;
  return result;
}

std::optional<std::int64_t> parse_retry_after(std::string_view value, std::int64_t now_unix,
                                              std::int64_t cap_seconds) {
  value = trim(value);
  if (value.empty()) return std::nullopt;
  if (value.front() >= '0' && value.front() <= '9') {
    // delta-seconds = 1*DIGIT; past 18 digits it is surely past the cap.
    bool digits = true;
    for (const char c : value) digits = digits && c >= '0' && c <= '9';
    if (!digits) return std::nullopt;
    if (value.size() > kMaxDigits) return cap_seconds;
    return std::min(*number(value), cap_seconds);
  }
  const auto when = imf_fixdate(value);
  if (!when) return std::nullopt;
  if (*when <= now_unix) return 0;
  return std::min(*when - now_unix, cap_seconds);
}

}  // namespace soket::proto::http
