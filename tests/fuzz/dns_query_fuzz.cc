// A query built by soket parses back to itself: the ID, RD, one question with the same name
// (each label as dig would print it), type and class IN, and the OPT record's UDP size. A name
// that cannot be encoded is refused with one of the name errors, and check_name agrees.
//
// Input: ID (2 bytes), flags (1: bit 0 RD, bit 1 EDNS), QTYPE (2), UDP size (2), then the name.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>

#include "proto/dns/names.h"
#include "proto/dns/parser.h"
#include "proto/dns/query.h"

namespace {

using namespace soket::proto::dns;

void require(bool property) {
  if (!property) std::abort();
}

// The presentation form a name should parse back to, built label by label.
std::string presentation(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty()) return ".";
  std::string out;
  while (true) {
    const auto dot = name.find('.');
    const auto label = name.substr(0, dot);
    out += escape_label(std::as_bytes(std::span(label.data(), label.size()))) + ".";
    if (dot == std::string_view::npos) return out;
    name.remove_prefix(dot + 1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 7) return 0;
  QuerySpec spec;
  spec.id = static_cast<std::uint16_t>(data[0] << 8 | data[1]);
  spec.recursion_desired = (data[2] & 1) != 0;
  spec.qtype = static_cast<std::uint16_t>(data[3] << 8 | data[4]);
  const auto udp_size = static_cast<std::uint16_t>(data[5] << 8 | data[6]);
  spec.edns_udp_size = (data[2] & 2) != 0 ? udp_size : 0;
  spec.name.assign(reinterpret_cast<const char*>(data + 7), size - 7);

  auto query = build_query(spec);
  const auto valid = check_name(spec.name);
  require(query.ok() == valid.ok());
  if (!query) {
    const auto e = query.error();
    require(e == errc::empty_label || e == errc::label_too_long || e == errc::name_too_long);
    require(e == valid.error());
    return 0;
  }
  auto parsed = parse_message(*query);
  require(parsed.ok());
  const auto& h = parsed->header;
  require(h.id == spec.id && h.rd == spec.recursion_desired && !h.qr && h.opcode == 0 &&
          h.rcode == 0 && h.qdcount == 1 && h.ancount == 0 && h.nscount == 0);
  require(parsed->questions.size() == 1);
  const auto& q = parsed->questions[0];
  require(q.qtype == spec.qtype && q.qclass == kClassIn && q.name == presentation(spec.name));
  require(same_name(q.name, q.name));
  require(parsed->edns.has_value() == (spec.edns_udp_size > 0));
  if (parsed->edns) require(parsed->edns->udp_size == spec.edns_udp_size);
  require(parsed->additional.empty());
  auto tcp = build_tcp_query(spec);  // The same message behind its 2-byte length.
  require(tcp.ok() && tcp->size() == query->size() + 2 &&
          std::equal(query->begin(), query->end(), tcp->begin() + 2));
  require((std::to_integer<std::size_t>((*tcp)[0]) << 8 |
           std::to_integer<std::size_t>((*tcp)[1])) == query->size());
  return 0;
}
