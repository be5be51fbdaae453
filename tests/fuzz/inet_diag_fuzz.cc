// Arbitrary datagrams to the sock_diag parser: never a crash or an overread; whatever it
// accepts has a known state name.
#include <netinet/in.h>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "proto/sockstat/inet_diag.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<soket::proto::sockstat::SocketRecord> out;
  const auto bytes = std::as_bytes(std::span(data, size));
  (void)soket::proto::sockstat::parse_dump(bytes, IPPROTO_TCP, out);
  for (const auto& record : out) (void)soket::proto::sockstat::state_name(record.state);
  return 0;
}
