#include "proto/dns/query.h"

#include <arpa/inet.h>
#include <fmt/core.h>

#include "core/byte_writer.h"
#include "proto/dns/message.h"
#include "proto/dns/names.h"

namespace soket::proto::dns {
namespace {

void write_query(ByteWriter& w, const QuerySpec& spec, Result<void>& written) {
  w.u16_be(spec.id);
  w.u16_be(spec.recursion_desired ? 0x0100 : 0);  // Opcode QUERY, RD as asked.
  w.u16_be(1);                                    // QDCOUNT
  w.u16_be(0);                                    // ANCOUNT
  w.u16_be(0);                                    // NSCOUNT
  w.u16_be(spec.edns_udp_size > 0 ? 1 : 0);       // ARCOUNT: the OPT record.
  written = write_name(w, spec.name);
  if (!written) return;
  w.u16_be(spec.qtype);
  w.u16_be(spec.qclass);
  if (spec.edns_udp_size > 0) {
    // OPT: root name, TYPE 41, CLASS = our UDP size, TTL = extended rcode 0, version 0 and
    // the flags, DO first (RFC 6891 section 6.1.3, RFC 3225 section 3), RDLENGTH 0.
    // 1232 bytes is the DNS Flag Day 2020 size.
    w.u8(0);
    w.u16_be(type::opt);
    w.u16_be(spec.edns_udp_size);
    w.u32_be(spec.dnssec_ok ? 0x8000 : 0);
    w.u16_be(0);
  }
}

}  // namespace

Result<std::vector<std::byte>> build_query(const QuerySpec& spec) {
  ByteWriter w;
  Result<void> written;
  write_query(w, spec, written);
  if (!written) return written.error();
  return w.take();
}

Result<std::vector<std::byte>> build_tcp_query(const QuerySpec& spec) {
  ByteWriter w;
  w.u16_be(0);  // The length, patched once the message is written.
  Result<void> written;
  write_query(w, spec, written);
  if (!written) return written.error();
  w.patch_u16_be(0, static_cast<std::uint16_t>(w.size() - 2));
  return w.take();
}

Result<void> check_name(std::string_view name) {
  ByteWriter scratch;
  return write_name(scratch, name);
}

std::optional<std::string> reverse_name(std::string_view address) {
  const std::string text(address);
  unsigned char bytes[16];
  if (::inet_pton(AF_INET, text.c_str(), bytes) == 1) {
    return fmt::format("{}.{}.{}.{}.in-addr.arpa.", bytes[3], bytes[2], bytes[1], bytes[0]);
  }
  if (::inet_pton(AF_INET6, text.c_str(), bytes) == 1) {
    std::string name;
    for (int i = 15; i >= 0; --i) {
      name += fmt::format("{:x}.{:x}.", bytes[i] & 0xF, bytes[i] >> 4);
    }
    return name + "ip6.arpa.";
  }
  return std::nullopt;
}

}  // namespace soket::proto::dns
