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
std::string json_text(const std::string& name, std::uint16_t qtype,
                      const Result<clients::DnsResponse>& response, const DnsShown& shown);

}  // namespace soket::cli
