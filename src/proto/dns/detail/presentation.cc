#include "proto/dns/detail/presentation.h"

#include <arpa/inet.h>
#include <fmt/core.h>

#include "proto/dns/message.h"

namespace soket::proto::dns::detail {
namespace {

std::string split(const std::string& text) {
  std::string out;
  for (std::size_t at = 0; at < text.size(); at += kSplitWidth) {
    if (at > 0) out.push_back(' ');
    out += text.substr(at, kSplitWidth);
  }
  return out;
}

unsigned byte_at(std::span<const std::byte> bytes, std::size_t i) {
  return i < bytes.size() ? std::to_integer<unsigned>(bytes[i]) : 0;
}

}  // namespace

std::string hex_upper(std::span<const std::byte> bytes) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const std::byte b : bytes) {
    const auto c = std::to_integer<unsigned>(b);
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xF]);
  }
  return out;
}

std::string hex_split(std::span<const std::byte> bytes) {
  return split(hex_upper(bytes));
}

// RFC 4648 section 4, with '=' padding.
std::string base64_split(std::span<const std::byte> bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const unsigned group =
        (byte_at(bytes, i) << 16) | (byte_at(bytes, i + 1) << 8) | byte_at(bytes, i + 2);
    const std::size_t have = std::min<std::size_t>(3, bytes.size() - i);
    for (std::size_t k = 0; k < 4; ++k) {
      out.push_back(k <= have ? kAlphabet[(group >> (18 - 6 * k)) & 0x3F] : '=');
    }
  }
  return split(out);
}

// RFC 4648 section 7: 5 bytes make 8 characters; NSEC3 (RFC 5155 section 3.3) drops padding.
std::string base32hex(std::span<const std::byte> bytes) {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUV";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 5) {
    std::uint64_t group = 0;
    for (std::size_t k = 0; k < 5; ++k) group = (group << 8) | byte_at(bytes, i + k);
    const std::size_t have = std::min<std::size_t>(5, bytes.size() - i);
    const std::size_t chars = (have * 8 + 4) / 5;
    for (std::size_t k = 0; k < chars; ++k)
      out.push_back(kAlphabet[(group >> (35 - 5 * k)) & 0x1F]);
  }
  return out;
}

std::string quoted(std::span<const std::byte> bytes, bool escape_comma) {
  std::string out = "\"";
  for (const std::byte b : bytes) {
    const auto c = std::to_integer<unsigned char>(b);
    if (escape_comma && (c == ',' || c == '\\')) {
      // RFC 9460 appendix A.1: inside a value list, a comma or backslash of an item is
      // escaped twice (once for the list, once for the quoted string): \\, and \\\\.
      out += c == ',' ? "\\\\," : "\\\\\\\\";
    } else if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c > 0x7E) {
      out += fmt::format("\\{:03}", c);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out + "\"";
}

//   Window Block # (8) | Bitmap Length (8, 1..32) | Bitmap (bit 0 of byte 0: type 256*window)
Result<std::string> type_bitmap(RdataCursor& cursor) {
  std::string out;
  int last_window = -1;
  while (!cursor.at_end()) {
    const auto window = cursor.u8(), length = cursor.u8();
    if (!length || *length == 0 || *length > 32 || *window <= last_window) {
      return make_error_code(errc::bad_rdata);
    }
    last_window = *window;
    const auto bits = cursor.bytes(*length);
    if (!bits) return make_error_code(errc::bad_rdata);
    for (std::size_t i = 0; i < bits->size(); ++i) {
      const auto byte = std::to_integer<unsigned>((*bits)[i]);
      for (unsigned bit = 0; bit < 8; ++bit) {
        if ((byte & (0x80u >> bit)) == 0) continue;
        const auto rtype = static_cast<std::uint16_t>(*window * 256 + i * 8 + bit);
        out += (out.empty() ? "" : " ") + type_name(rtype);
      }
    }
  }
  return out;
}

std::string words(std::initializer_list<std::string> parts) {
  std::string out;
  for (const auto& part : parts) {
    if (part.empty()) continue;
    if (!out.empty()) out.push_back(' ');
    out += part;
  }
  return out;
}

std::string address_text(int family, std::span<const std::byte> bytes) {
  char text[INET6_ADDRSTRLEN] = "";
  ::inet_ntop(family, bytes.data(), text, sizeof text);
  return text;
}

std::error_code bad_rdata() {
  return make_error_code(errc::bad_rdata);
}

}  // namespace soket::proto::dns::detail
