// Building a reply to a query: what a small authoritative responder needs (soket demo's
// zone, and the tests' responder), on the same wire-format layer as the client.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "proto/dns/message.h"

namespace soket::proto::dns {

struct AnswerRecord {
  std::string name;
  std::uint16_t type = type::a;
  std::uint32_t ttl = 300;
  std::vector<std::byte> rdata;  // Wire form (4 bytes for an A).
};

// A reply with the query's ID, RD and question, QR and AA set, `rcode`, and `answers`.
Result<std::vector<std::byte>> build_response(const Message& query, std::uint16_t rcode,
                                              const std::vector<AnswerRecord>& answers);

}  // namespace soket::proto::dns
