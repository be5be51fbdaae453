#include "services/echo_service.h"

#include "conn/datagram_endpoint.h"

namespace soket::services {

void EchoService::on_data(conn::Connection& connection, Buffer& input) noexcept {
  connection.send(input.readable());
  input.clear();
}

void EchoService::on_datagram(conn::DatagramEndpoint& endpoint, std::span<const std::byte> payload,
                              const net::Address& from) noexcept {
  endpoint.send_to(payload, from);
}

}  // namespace soket::services
