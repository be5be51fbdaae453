// How `soket dns` prints a response: dig's layout, dig +short's, or one JSON object.
#pragma once

#include <string>

#include "clients/dns_client.h"

namespace soket::cli {

struct DnsShown {
  std::string asked;   // The command's words, for the banner.
  std::string server;  // "127.0.0.1#53(127.0.0.1)".
};

std::string dig_text(const clients::DnsResponse& response, const DnsShown& shown);
std::string short_text(const clients::DnsResponse& response);
// One object per query; a failed one has "error" (and "tcp_retry": true when the failure
// came from the TCP retry of a truncated UDP reply).
std::string json_text(const std::string& name, std::uint16_t qtype,
                      const clients::DnsOutcome& outcome, const DnsShown& shown);

}  // namespace soket::cli
