// DnsZoneService: a tiny authoritative DNS responder over UDP for a fixed set of records,
// so that `soket demo` can look a name up on a machine with no other DNS.
#pragma once

#include <vector>

#include "proto/dns/response.h"
#include "services/server.h"

namespace soket::services {

class DnsZoneService final : public LoopService {
 public:
  explicit DnsZoneService(std::vector<proto::dns::AnswerRecord> records)
      : records_(std::move(records)) {}

  void on_data(conn::Connection&, Buffer& input) noexcept override { input.clear(); }
  // Answers with the records of the asked name and type; NXDOMAIN for a name it does not
  // hold. A datagram that is not a query is ignored.
  void on_datagram(conn::DatagramEndpoint& endpoint, std::span<const std::byte> payload,
                   const net::Address& from) noexcept override;

 private:
  std::vector<proto::dns::AnswerRecord> records_;
};

}  // namespace soket::services
