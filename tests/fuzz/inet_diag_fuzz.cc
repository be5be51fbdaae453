// Arbitrary datagrams to the sock_diag parsers (inet_diag for TCP, with its tcp_info
// attribute, and UDP; unix_diag with its name, peer, queue and uid attributes): never a crash
// or an overread, and what they accept keeps the parsers' promises.
#include <netinet/in.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "proto/sockstat/inet_diag.h"
#include "proto/sockstat/unix_diag.h"

namespace {

using namespace soket::proto::sockstat;

constexpr std::size_t kNetlinkHeader = 16, kInetDiagMsg = 72, kUnixDiagMsg = 16;

void check(bool property) {
  if (!property) std::abort();
}

void inet(std::span<const std::byte> bytes, std::uint8_t protocol) {
  std::vector<SocketRecord> out;
  auto part = parse_dump(bytes, protocol, out);
  // Each record took a header and a whole inet_diag_msg of the datagram.
  check(out.size() * (kNetlinkHeader + kInetDiagMsg) <= bytes.size());
  for (const auto& record : out) {
    check(!state_name(record.state).empty());
    // tcp_info is read for TCP only.
    check(protocol == IPPROTO_TCP || !record.tcp_info);
    if (record.tcp_info) check(bytes.size() >= kNetlinkHeader + kInetDiagMsg + kTcpInfoMinSize);
  }
  if (part.ok() && part->kernel_errno != 0) std::abort();  // An errno comes with an error.
}

void unix_sockets(std::span<const std::byte> bytes) {
  std::vector<UnixRecord> out;
  auto part = parse_unix_dump(bytes, out);
  check(out.size() * (kNetlinkHeader + kUnixDiagMsg) <= bytes.size());
  for (const auto& record : out) {
    check(record.name.size() <= kMaxUnixName);
    check(!unix_type_name(record.type).empty());
  }
  (void)part;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto bytes = std::as_bytes(std::span(data, size));
  inet(bytes, IPPROTO_TCP);
  inet(bytes, IPPROTO_UDP);
  unix_sockets(bytes);
  return 0;
}
