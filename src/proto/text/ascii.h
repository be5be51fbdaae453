// ASCII case folding, for the protocol words that are case-insensitive by their RFCs
// (HTTP header names and codings, URL schemes, DNS names, chat user names). Not Unicode.
#pragma once

#include <string>
#include <string_view>

namespace soket::proto::text {

inline char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

inline std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

}  // namespace soket::proto::text
