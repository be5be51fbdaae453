#include "proto/dns/response.h"

#include "core/byte_writer.h"
#include "proto/dns/names.h"

namespace soket::proto::dns {

Result<std::vector<std::byte>> build_response(const Message& query, std::uint16_t rcode,
                                              const std::vector<AnswerRecord>& answers) {
  ByteWriter w;
  w.u16_be(query.header.id);
  w.u16_be(static_cast<std::uint16_t>(0x8400 | (query.header.rd ? 0x0100 : 0) | (rcode & 0xF)));
  w.u16_be(static_cast<std::uint16_t>(query.questions.size()));
  w.u16_be(static_cast<std::uint16_t>(answers.size()));
  w.u16_be(0);
  w.u16_be(0);
  for (const auto& q : query.questions) {
    if (auto r = write_name(w, q.name); !r) return r.error();
    w.u16_be(q.qtype);
    w.u16_be(q.qclass);
  }
  for (const auto& a : answers) {
    if (auto r = write_name(w, a.name); !r) return r.error();
    w.u16_be(a.type);
    w.u16_be(kClassIn);
    w.u32_be(a.ttl);
    w.u16_be(static_cast<std::uint16_t>(a.rdata.size()));
    w.append(a.rdata);
  }
  return w.take();
}

}  // namespace soket::proto::dns
