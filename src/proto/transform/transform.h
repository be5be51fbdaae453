// The text transform of seed 002 (parts B and C), as a pure function: the five processes
//   1. invert the case of every letter (full Unicode case mapping, one character at a time,
//      as Python's str.upper()/str.lower() do: "ß" becomes "SS");
//   2. count the characters of the message as received (code points; an invalid UTF-8 byte
//      counts one and passes through unchanged);
//   3. strip white space at both ends;
//   4. add the local time as YYYY-MM-DD HH:MM:SS (passed in: no clock here);
//   5. add the confirmation "Data telah diproses".
// The reply is "{text} | {count} karakter | {timestamp} | Data telah diproses".
// Thread-safe; allocates only the result (append_reply: nothing, once `out` has grown).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace soket::proto::transform {

struct LocalTime {
  int year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  bool operator==(const LocalTime&) const = default;
};

struct Transformed {
  std::string text;   // After processes 1 and 3.
  std::size_t count;  // Process 2.
};

Transformed transform_text(std::string_view message);
std::string format_timestamp(const LocalTime& time);
std::string make_reply(std::string_view message, const LocalTime& time);
// The same reply appended to `out`, with the timestamp already formatted: a server answering
// many lines formats the time once per batch and builds the replies in one reused buffer.
void append_reply(std::string& out, std::string_view message, std::string_view timestamp);

inline constexpr std::string_view kConfirmation = "Data telah diproses";

}  // namespace soket::proto::transform
