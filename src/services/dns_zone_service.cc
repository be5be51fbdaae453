#include "services/dns_zone_service.h"

#include "conn/datagram_endpoint.h"
#include "proto/dns/names.h"
#include "proto/dns/parser.h"

namespace soket::services {

void DnsZoneService::on_datagram(conn::DatagramEndpoint& endpoint,
                                 std::span<const std::byte> payload,
                                 const net::Address& from) noexcept {
  auto query = proto::dns::parse_message(payload);
  if (!query || query->header.qr || query->questions.size() != 1) return;
  const auto& question = query->questions.front();
  std::vector<proto::dns::AnswerRecord> answers;
  bool name_known = false;
  for (const auto& record : records_) {
    if (!proto::dns::same_name(record.name, question.name)) continue;
    name_known = true;
    if (record.type == question.qtype) answers.push_back(record);
  }
  auto reply = proto::dns::build_response(*query, name_known ? 0 : 3, answers);
  if (reply) endpoint.send_to(*reply, from);
}

}  // namespace soket::services
