// EchoService: every byte back to where it came from, over TCP and UDP (seed 000).
#pragma once

#include "services/server.h"

namespace soket::services {

class EchoService final : public LoopService {
 public:
  void on_data(conn::Connection& connection, Buffer& input) noexcept override;
  // Bulk streams go back through the kernel (splice), never copied into user space.
  bool reflects() const noexcept override { return true; }
  void on_datagram(conn::DatagramEndpoint& endpoint, std::span<const std::byte> payload,
                   const net::Address& from) noexcept override;
};

}  // namespace soket::services
