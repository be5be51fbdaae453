// How `soket dns` prints a response: dig's layout (its sections as DnsDisplay chooses), dig
// +short's, or one JSON object per query (nlohmann-json).
#pragma once

#include <string>

#include "cli/dns_words.h"
#include "clients/dns_client.h"

namespace soket::cli {

struct DnsShown {
  std::string asked;   // The command's words, for the banner.
  std::string server;  // "127.0.0.1#53(127.0.0.1)".
};

std::string dig_text(const clients::DnsResponse& response, const DnsShown& shown,
                     const DnsDisplay& display = {});
std::string short_text(const clients::DnsResponse& response);
// One record as dig writes it: owner, TTL, class, type and data in dig's columns (tab stops
// at 24, 32, 40 and 48; a single space once a field has passed its column).
std::string record_line(const proto::dns::Record& record);
// One object per query; a failed one has "error" (and "tcp_retry": true when the failure
// came from the TCP retry of a truncated UDP reply).
std::string json_text(const clients::DnsQuery& query, const clients::DnsOutcome& outcome,
                      const DnsShown& shown);

}  // namespace soket::cli
