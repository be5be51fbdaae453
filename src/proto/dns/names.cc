#include "proto/dns/names.h"

#include <fmt/core.h>

#include <cctype>

#include "proto/dns/message.h"
#include "proto/text/ascii.h"

namespace soket::proto::dns {

Result<void> write_name(ByteWriter& out, std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  std::size_t wire = 1;  // The root's zero byte.
  while (!name.empty()) {
    const auto dot = name.find('.');
    const auto label = name.substr(0, dot);
    // "a.." is "a." with an empty last label: only one final dot (the root's) may go.
    if (label.empty() || dot + 1 == name.size()) return make_error_code(errc::empty_label);
    if (label.size() > kMaxLabel) return make_error_code(errc::label_too_long);
    wire += label.size() + 1;
    if (wire > kMaxName) return make_error_code(errc::name_too_long);
    out.u8(static_cast<std::uint8_t>(label.size()));
    out.append(std::as_bytes(std::span(label.data(), label.size())));
    name = dot == std::string_view::npos ? std::string_view{} : name.substr(dot + 1);
  }
  out.u8(0);
  return {};
}

std::string escape_label(std::span<const std::byte> label) {
  std::string out;
  for (const std::byte b : label) {
    const auto c = std::to_integer<unsigned char>(b);
    if (c == '.' || c == '\\' || c == '"' || c == ';' || c == '(' || c == ')') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x21 || c > 0x7E) {
      out += fmt::format("\\{:03}", c);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

//   label:   0 0 | length (6 bits) | length bytes
//   pointer: 1 1 | offset (14 bits), from the start of the message
// A pointer must point before itself (so pointers only go backwards and cannot loop); the
// hop limit is a second fence.
Result<std::string> read_name(ByteReader& reader, std::span<const std::byte> message) {
  ByteReader cursor = reader;
  std::string name;
  std::size_t wire = 1;
  bool jumped = false;
  for (int hops = 0;;) {
    const std::size_t at = cursor.position();
    const auto length = cursor.u8();
    if (!length) return make_error_code(errc::truncated);
    if ((*length & 0xC0) == 0xC0) {
      const auto low = cursor.u8();
      if (!low) return make_error_code(errc::truncated);
      const std::size_t offset = (std::size_t{*length & 0x3Fu} << 8) | *low;
      if (!jumped) reader = cursor;
      jumped = true;
      if (offset >= at) return make_error_code(errc::bad_pointer);
      if (++hops > kMaxPointerHops) return make_error_code(errc::pointer_loop);
      cursor = ByteReader(message);
      cursor.seek(offset);
      continue;
    }
    if ((*length & 0xC0) != 0) return make_error_code(errc::bad_label);
    if (*length == 0) break;
    const auto label = cursor.bytes(*length);
    if (!label) return make_error_code(errc::truncated);
    wire += *length + 1u;
    if (wire > kMaxName) return make_error_code(errc::name_too_long);
    name += escape_label(*label);
    name.push_back('.');
  }
  if (!jumped) reader = cursor;
  return name.empty() ? std::string(".") : name;
}

bool same_name(std::string_view a, std::string_view b) {
  if (!a.empty() && a.back() == '.' && a.size() > 1) a.remove_suffix(1);
  if (!b.empty() && b.back() == '.' && b.size() > 1) b.remove_suffix(1);
  return text::iequals(a, b);
}

}  // namespace soket::proto::dns
