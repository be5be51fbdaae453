#include "proto/dns/parser.h"

#include <arpa/inet.h>
#include <fmt/core.h>

#include "core/byte_reader.h"
#include "core/bytes.h"
#include "proto/dns/names.h"

namespace soket::proto::dns {
namespace {

using Bytes = std::span<const std::byte>;

//                                 1  1  1  1  1  1
//   0  1  2  3  4  5  6  7  8  9  0  1  2  3  4  5
//  +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
//  |                      ID                       |
//  |QR|   Opcode  |AA|TC|RD|RA| Z|AD|CD|   RCODE   |
//  |                    QDCOUNT                    |
//  |                    ANCOUNT                    |
//  |                    NSCOUNT                    |
//  |                    ARCOUNT                    |
//  +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
Result<Header> read_header(ByteReader& r) {
  const auto id = r.u16_be(), flags = r.u16_be(), qd = r.u16_be(), an = r.u16_be(), ns = r.u16_be(),
             ar = r.u16_be();
  if (!ar) return make_error_code(errc::truncated_header);
  Header h;
  h.id = *id;
  h.qr = (*flags & 0x8000) != 0;
  h.opcode = static_cast<std::uint8_t>((*flags >> 11) & 0xF);
  h.aa = (*flags & 0x0400) != 0;
  h.tc = (*flags & 0x0200) != 0;
  h.rd = (*flags & 0x0100) != 0;
  h.ra = (*flags & 0x0080) != 0;
  h.ad = (*flags & 0x0020) != 0;
  h.cd = (*flags & 0x0010) != 0;
  h.rcode = *flags & 0xF;
  h.qdcount = *qd;
  h.ancount = *an;
  h.nscount = *ns;
  h.arcount = *ar;
  return h;
}

std::string hex(Bytes bytes) {
  std::string out;
  for (const std::byte b : bytes) out += fmt::format("{:02X}", std::to_integer<unsigned>(b));
  return out;
}

// <character-string>: a length byte and that many bytes; shown quoted, with '"' and '\'
// escaped and bytes outside 0x20..0x7E as \DDD.
Result<std::string> read_character_string(ByteReader& r) {
  const auto length = r.u8();
  if (!length) return make_error_code(errc::bad_rdata);
  const auto text = r.bytes(*length);
  if (!text) return make_error_code(errc::bad_rdata);
  std::string out = "\"";
  for (const std::byte b : *text) {
    const auto c = std::to_integer<unsigned char>(b);
    if (c == '"' || c == '\\') {
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

std::string address_text(int family, Bytes bytes) {
  char text[INET6_ADDRSTRLEN] = "";
  ::inet_ntop(family, bytes.data(), text, sizeof text);
  return text;
}

// The rdata of one record, in presentation form. `r` reads the whole message and stands at
// the rdata; `end` is where the rdata must end.
Result<std::string> read_rdata(ByteReader& r, Bytes message, std::uint16_t rtype, std::size_t end) {
  const std::size_t length = end - r.position();
  auto name = [&]() { return read_name(r, message); };
  std::string data;
  switch (rtype) {
    case type::a:
    case type::aaaa: {
      const std::size_t size = rtype == type::a ? 4 : 16;
      if (length != size) return make_error_code(errc::bad_rdata);
      data = address_text(rtype == type::a ? AF_INET : AF_INET6, *r.bytes(size));
      break;
    }
    case type::ns:
    case type::cname:
    case type::ptr: {
      auto target = name();
      if (!target) return target.error();
      data = *target;
      break;
    }
    case type::mx: {
      const auto preference = r.u16_be();
      if (!preference) return make_error_code(errc::bad_rdata);
      auto exchange = name();
      if (!exchange) return exchange.error();
      data = fmt::format("{} {}", *preference, *exchange);
      break;
    }
    case type::soa: {
      auto mname = name();
      if (!mname) return mname.error();
      auto rname = name();
      if (!rname) return rname.error();
      const auto serial = r.u32_be(), refresh = r.u32_be(), retry = r.u32_be(), expire = r.u32_be(),
                 minimum = r.u32_be();
      if (!minimum) return make_error_code(errc::bad_rdata);
      data = fmt::format("{} {} {} {} {} {} {}", *mname, *rname, *serial, *refresh, *retry, *expire,
                         *minimum);
      break;
    }
    case type::srv: {
      const auto priority = r.u16_be(), weight = r.u16_be(), port = r.u16_be();
      if (!port) return make_error_code(errc::bad_rdata);
      auto target = name();
      if (!target) return target.error();
      data = fmt::format("{} {} {} {}", *priority, *weight, *port, *target);
      break;
    }
    case type::txt: {
      if (length == 0) return make_error_code(errc::bad_rdata);
      while (r.position() < end) {
        auto text = read_character_string(r);
        if (!text) return text.error();
        data += (data.empty() ? "" : " ") + *text;
      }
      break;
    }
    case type::caa: {  // RFC 8659: flags, tag length, tag, value.
      const auto flags = r.u8(), tag_length = r.u8();
      if (!tag_length || *tag_length == 0 || r.position() + *tag_length > end) {
        return make_error_code(errc::bad_rdata);
      }
      const auto tag = r.bytes(*tag_length);
      // RFC 8659 section 4.1: a tag is ASCII letters and digits. Anything else is refused, so
      // that no control byte of a tag reaches a terminal unescaped.
      for (const std::byte b : *tag) {
        const auto c = std::to_integer<unsigned char>(b);
        const bool letter_or_digit =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!letter_or_digit) return make_error_code(errc::bad_rdata);
      }
      const auto value = r.bytes(end - r.position());
      std::string quoted = "\"";
      for (const std::byte b : *value) {
        const auto c = std::to_integer<unsigned char>(b);
        if (c == '"' || c == '\\') quoted.push_back('\\');
        quoted += (c < 0x20 || c > 0x7E) ? fmt::format("\\{:03}", c)
                                         : std::string(1, static_cast<char>(c));
      }
      data = fmt::format("{} {} {}\"", *flags, as_text(*tag), quoted);
      break;
    }
    default:  // RFC 3597 section 5: the generic form.
      data = length == 0 ? "\\# 0" : fmt::format("\\# {} {}", length, hex(*r.bytes(length)));
      break;
  }
  if (r.position() != end) return make_error_code(errc::bad_rdata);
  return data;
}

//   NAME | TYPE (16) | CLASS (16) | TTL (32) | RDLENGTH (16) | RDATA
Result<Record> read_record(ByteReader& r, Bytes message, bool additional) {
  auto owner = read_name(r, message);
  if (!owner) return owner.error();
  const auto rtype = r.u16_be(), rclass = r.u16_be();
  const auto ttl = r.u32_be();
  const auto rdlength = r.u16_be();
  if (!rdlength) return make_error_code(errc::truncated);
  if (*rdlength > r.remaining()) return make_error_code(errc::rdlength_overrun);
  Record record{*owner, *rtype, *rclass, *ttl, {}};
  // RFC 6891 section 6.1.1: the OPT pseudo-record belongs in the additional section only.
  if (*rtype == type::opt && !additional) return make_error_code(errc::bad_opt);
  if (*rtype == type::opt) {  // Kept whole: the caller turns it into Edns.
    record.data = hex(*r.bytes(*rdlength));
    return record;
  }
  auto data = read_rdata(r, message, *rtype, r.position() + *rdlength);
  if (!data) return data.error();
  record.data = std::move(*data);
  return record;
}

Result<void> read_section(ByteReader& r, Bytes message, std::size_t count, std::vector<Record>& out,
                          bool additional = false) {
  for (std::size_t i = 0; i < count; ++i) {
    if (r.empty()) return make_error_code(errc::counts_mismatch);
    auto record = read_record(r, message, additional);
    if (!record) return record.error();
    out.push_back(std::move(*record));
  }
  return {};
}

}  // namespace

Result<Header> parse_header(std::span<const std::byte> bytes) {
  ByteReader r(bytes);
  return read_header(r);
}

Result<Message> parse_message(std::span<const std::byte> bytes) {
  ByteReader r(bytes);
  auto header = read_header(r);
  if (!header) return header.error();
  Message message;
  message.header = *header;
  for (std::size_t i = 0; i < header->qdcount; ++i) {
    if (r.empty()) return make_error_code(errc::counts_mismatch);
    auto name = read_name(r, bytes);
    if (!name) return name.error();
    const auto qtype = r.u16_be(), qclass = r.u16_be();
    if (!qclass) return make_error_code(errc::truncated);
    message.questions.push_back({*name, *qtype, *qclass});
  }
  if (auto s = read_section(r, bytes, header->ancount, message.answers); !s) return s.error();
  if (auto s = read_section(r, bytes, header->nscount, message.authority); !s) return s.error();
  std::vector<Record> additional;
  if (auto s = read_section(r, bytes, header->arcount, additional, true); !s) return s.error();
  if (!r.empty()) return make_error_code(errc::trailing_bytes);
  // RFC 6891 section 6.1.3: the OPT record's class is the UDP size, its TTL the extended
  // rcode (8 bits), the version (8) and the flags (16, DO first).
  for (auto& record : additional) {
    if (record.type != type::opt) {
      message.additional.push_back(std::move(record));
      continue;
    }
    if (message.edns) return make_error_code(errc::bad_opt);  // More than one (6.1.1).
    message.edns = Edns{record.rclass, static_cast<std::uint8_t>((record.ttl >> 16) & 0xFF),
                        (record.ttl & 0x8000) != 0};
    message.header.rcode |= static_cast<std::uint16_t>(((record.ttl >> 24) & 0xFF) << 4);
  }
  return message;
}

}  // namespace soket::proto::dns
