#include "proto/dns/rdata.h"

#include <arpa/inet.h>
#include <fmt/core.h>

#include "core/bytes.h"
#include "proto/dns/detail/presentation.h"
#include "proto/dns/detail/rdata_printers.h"
#include "proto/dns/message.h"

namespace soket::proto::dns {
namespace detail {
namespace {

// One or more <character-string>s to the end, each quoted (TXT, SPF, HINFO, X25, ISDN).
Result<std::string> strings(RdataCursor& c) {
  if (c.at_end()) return bad_rdata();
  std::string out;
  while (!c.at_end()) {
    const auto text = c.character_string();
    if (!text) return bad_rdata();
    out += (out.empty() ? "" : " ") + quoted(*text);
  }
  return out;
}

// A 16-bit number and a name: MX, KX, RT, AFSDB (RFC 1183), LP (RFC 6742).
Result<std::string> number_and_name(RdataCursor& c) {
  const auto number = c.u16();
  if (!number) return bad_rdata();
  auto name = c.name();
  if (!name) return name.error();
  return fmt::format("{} {}", *number, *name);
}

Result<std::string> names(RdataCursor& c, int count) {  // NS, CNAME, PTR, DNAME; RP, MINFO.
  std::string out;
  for (int i = 0; i < count; ++i) {
    auto name = c.name();
    if (!name) return name.error();
    out += (i == 0 ? "" : " ") + *name;
  }
  return out;
}

Result<std::string> soa(RdataCursor& c) {
  auto mnames = names(c, 2);
  if (!mnames) return mnames;
  const auto serial = c.u32(), refresh = c.u32(), retry = c.u32(), expire = c.u32(),
             minimum = c.u32();
  if (!minimum) return bad_rdata();
  return fmt::format("{} {} {} {} {} {}", *mnames, *serial, *refresh, *retry, *expire, *minimum);
}

Result<std::string> srv(RdataCursor& c) {  // RFC 2782.
  const auto priority = c.u16(), weight = c.u16(), port = c.u16();
  if (!port) return bad_rdata();
  auto target = c.name();
  if (!target) return target.error();
  return fmt::format("{} {} {} {}", *priority, *weight, *port, *target);
}

Result<std::string> caa(RdataCursor& c) {  // RFC 8659: flags, tag length, tag, value.
  const auto flags = c.u8(), tag_length = c.u8();
  if (!tag_length || *tag_length == 0) return bad_rdata();
  const auto tag = c.bytes(*tag_length);
  if (!tag) return bad_rdata();
  // Section 4.1: a tag is ASCII letters and digits. Anything else is refused, so that no
  // control byte of a tag reaches a terminal unescaped.
  for (const std::byte b : *tag) {
    const auto ch = std::to_integer<unsigned char>(b);
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))) {
      return bad_rdata();
    }
  }
  return fmt::format("{} {} {}", *flags, as_text(*tag), quoted(c.rest()));
}

// RFC 3403: order, preference, flags, services, regexp, replacement.
Result<std::string> naptr(RdataCursor& c) {
  const auto order = c.u16(), preference = c.u16();
  if (!preference) return bad_rdata();
  std::string texts;
  for (int i = 0; i < 3; ++i) {
    const auto text = c.character_string();
    if (!text) return bad_rdata();
    texts += " " + quoted(*text);
  }
  auto replacement = c.name();
  if (!replacement) return replacement.error();
  return fmt::format("{} {}{} {}", *order, *preference, texts, *replacement);
}

Result<std::string> uri(RdataCursor& c) {  // RFC 7553: priority, weight, the rest is the URI.
  const auto priority = c.u16(), weight = c.u16();
  if (!weight) return bad_rdata();
  return fmt::format("{} {} {}", *priority, *weight, quoted(c.rest()));
}

Result<std::string> eui(RdataCursor& c, std::size_t size) {  // RFC 7043: "00-00-5e-00-53-2a".
  const auto bytes = c.bytes(size);
  if (!bytes || !c.at_end()) return bad_rdata();
  std::string out;
  for (const std::byte b : *bytes) {
    out += fmt::format("{}{:02x}", out.empty() ? "" : "-", std::to_integer<unsigned>(b));
  }
  return out;
}

// RFC 6742: L32 is a preference and an IPv4 locator; L64 and NID four 16-bit groups.
Result<std::string> locator(RdataCursor& c, std::uint16_t rtype) {
  const auto preference = c.u16();
  if (!preference) return bad_rdata();
  if (rtype == type::l32) {
    const auto address = c.bytes(4);
    if (!address) return bad_rdata();
    return fmt::format("{} {}", *preference, address_text(AF_INET, *address));
  }
  std::string out = std::to_string(*preference);
  for (int i = 0; i < 4; ++i) {
    const auto group = c.u16();
    if (!group) return bad_rdata();
    out += fmt::format("{}{:x}", i == 0 ? " " : ":", *group);
  }
  return out;
}

// RFC 2163 PX: a preference and two names.
Result<std::string> px(RdataCursor& c) {
  const auto preference = c.u16();
  if (!preference) return bad_rdata();
  auto both = names(c, 2);
  if (!both) return both;
  return fmt::format("{} {}", *preference, *both);
}

// RFC 1035 section 3.4.2 WKS: an IPv4 address, a protocol number, and a bitmap of ports (bit
// 0 of the first byte is port 0), written as dig writes them: numbers.
Result<std::string> wks(RdataCursor& c) {
  const auto address = c.bytes(4);
  const auto protocol = address ? c.u8() : std::nullopt;
  if (!protocol) return bad_rdata();
  std::string out = fmt::format("{} {}", address_text(AF_INET, *address), *protocol);
  const auto bitmap = c.rest();
  for (std::size_t i = 0; i < bitmap.size(); ++i) {
    const auto byte = std::to_integer<unsigned>(bitmap[i]);
    for (unsigned bit = 0; bit < 8; ++bit) {
      if ((byte & (0x80u >> bit)) != 0) out += fmt::format(" {}", i * 8 + bit);
    }
  }
  return out;
}

Result<std::string> address(RdataCursor& c, std::uint16_t rtype) {
  const std::size_t size = rtype == type::a ? 4 : 16;
  if (c.left() != size) return bad_rdata();
  return address_text(rtype == type::a ? AF_INET : AF_INET6, *c.bytes(size));
}

}  // namespace

Printed basic_rdata(std::uint16_t rtype, RdataCursor& c) {
  switch (rtype) {
    case type::a:
    case type::aaaa:
      return address(c, rtype);
    case type::ns:
    case type::md:
    case type::mf:
    case type::cname:
    case type::mb:
    case type::mg:
    case type::mr:
    case type::ptr:
    case type::nsap_ptr:
    case type::dname:
      return names(c, 1);
    case type::rp:
    case type::minfo:
    case type::talink:
      return names(c, 2);
    case type::px:
      return px(c);
    case type::wks:
      return wks(c);
    case type::uid:
    case type::gid: {
      const auto id = c.u32();
      if (!id) return Result<std::string>(bad_rdata());
      return Result<std::string>(std::to_string(*id));
    }
    case type::mx:
    case type::afsdb:
    case type::rt:
    case type::kx:
    case type::lp:
      return number_and_name(c);
    case type::soa:
      return soa(c);
    case type::srv:
      return srv(c);
    case type::txt:
    case type::spf:
    case type::hinfo:
    case type::x25:
    case type::isdn:
    case type::avc:
    case type::ninfo:
    case type::gpos:
    case type::uinfo:
      return strings(c);
    case type::caa:
      return caa(c);
    case type::naptr:
      return naptr(c);
    case type::uri:
      return uri(c);
    case type::eui48:
      return eui(c, 6);
    case type::eui64:
      return eui(c, 8);
    case type::l32:
    case type::l64:
    case type::nid:
      return locator(c, rtype);
    case type::openpgpkey:
    case type::dhcid:
      return Result<std::string>(base64_split(c.rest()));
    default:
      return std::nullopt;
  }
}

}  // namespace detail

Result<std::string> rdata_text(std::uint16_t rtype, std::span<const std::byte> message,
                               std::size_t offset, std::size_t length) {
  if (offset > message.size() || length > message.size() - offset) {
    return make_error_code(errc::rdlength_overrun);
  }
  detail::RdataCursor cursor(message, offset, offset + length);
  detail::Printed printed = detail::basic_rdata(rtype, cursor);
  if (!printed) printed = detail::dnssec_rdata(rtype, cursor);
  if (!printed) printed = detail::service_rdata(rtype, cursor);
  if (!printed) return generic_rdata_text(message.subspan(offset, length));
  if (*printed && !cursor.at_end()) return make_error_code(errc::bad_rdata);  // Left over.
  return std::move(*printed);
}

std::string generic_rdata_text(std::span<const std::byte> rdata) {
  if (rdata.empty()) return "\\# 0";
  return fmt::format("\\# {} {}", rdata.size(), detail::hex_split(rdata));
}

Result<std::vector<std::byte>> parse_generic_rdata(std::string_view text) {
  using detail::bad_rdata;
  if (text.substr(0, 3) != "\\# ") return bad_rdata();
  text.remove_prefix(3);
  std::size_t length = 0, at = 0;
  for (; at < text.size() && text[at] >= '0' && text[at] <= '9' && length <= 65535; ++at) {
    length = length * 10 + static_cast<std::size_t>(text[at] - '0');
  }
  if (at == 0 || length > 65535 || (at < text.size() && text[at] != ' ')) return bad_rdata();
  std::vector<std::byte> out;
  int high = -1;
  for (; at < text.size(); ++at) {
    const char ch = text[at];
    if (ch == ' ' && high < 0) continue;
    int digit = -1;
    if (ch >= '0' && ch <= '9') digit = ch - '0';
    if (ch >= 'a' && ch <= 'f') digit = ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') digit = ch - 'A' + 10;
    if (digit < 0) return bad_rdata();
    if (high < 0) {
      high = digit;
    } else {
      out.push_back(static_cast<std::byte>(high * 16 + digit));
      high = -1;
    }
  }
  if (high >= 0 || out.size() != length) return bad_rdata();
  return out;
}

}  // namespace soket::proto::dns
