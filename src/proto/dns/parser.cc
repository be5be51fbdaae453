#include "proto/dns/parser.h"

#include "core/byte_reader.h"
#include "core/bytes.h"
#include "proto/dns/names.h"
#include "proto/dns/rdata.h"

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

//   NAME | TYPE (16) | CLASS (16) | TTL (32) | RDLENGTH (16) | RDATA
Result<Record> read_record(ByteReader& r, Bytes message, bool additional) {
  auto owner = read_name(r, message);
  if (!owner) return owner.error();
  const auto rtype = r.u16_be(), rclass = r.u16_be();
  const auto ttl = r.u32_be();
  const auto rdlength = r.u16_be();
  if (!rdlength) return make_error_code(errc::truncated);
  if (*rdlength > r.remaining()) return make_error_code(errc::rdlength_overrun);
  const std::size_t offset = r.position();
  const auto rdata = *r.bytes(*rdlength);
  Record record{*owner, *rtype, *rclass, *ttl, {}, {rdata.begin(), rdata.end()}};
  // RFC 6891 section 6.1.1: the OPT pseudo-record belongs in the additional section only.
  if (*rtype == type::opt && !additional) return make_error_code(errc::bad_opt);
  if (*rtype == type::opt) return record;  // Kept whole: the caller turns it into Edns.
  auto data = rdata_text(*rtype, message, offset, *rdlength);
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
