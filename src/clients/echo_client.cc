#include "clients/echo_client.h"

#include <vector>

#include "core/buffer.h"
#include "net/deadline_io.h"

namespace soket::clients {

EchoClient::EchoClient(net::Fd fd, net::Address peer, const ClientTarget& config)
    : fd_(std::move(fd)), peer_(peer), transport_(config.transport), timeout_(config.timeout) {}

Result<EchoClient> EchoClient::connect(const ClientTarget& config) {
  auto addresses = net::resolve(config.host, config.port, config.transport);
  if (!addresses) return addresses.error();
  auto connected = net::connect_any(*addresses, config.transport, Clock::now() + config.timeout);
  if (!connected) return connected.error();
  return EchoClient(std::move(connected->fd), connected->peer, config);
}

Result<EchoReply> EchoClient::exchange(std::string_view message) {
  const TimePoint deadline = Clock::now() + timeout_;
  return transport_ == net::Transport::tcp ? exchange_stream(message, deadline)
                                           : exchange_datagram(message, deadline);
}

Result<EchoReply> EchoClient::exchange_stream(std::string_view message, TimePoint deadline) {
  if (auto sent = net::write_all(fd_.get(), as_bytes(message), deadline); !sent) {
    return sent.error();
  }
  EchoReply reply;
  reply.bytes.resize(message.size());
  std::size_t received = 0;
  while (received < message.size()) {
    auto into = std::as_writable_bytes(std::span<char>(reply.bytes)).subspan(received);
    auto got = net::read_some(fd_.get(), into, deadline);
    if (!got) return got.error();
    if (*got == 0) {
      reply.bytes.resize(received);
      return reply;
    }
    received += *got;
  }
  reply.complete = true;
  return reply;
}

Result<EchoReply> EchoClient::exchange_datagram(std::string_view message, TimePoint deadline) {
  if (auto sent = net::send_datagram(fd_.get(), as_bytes(message), deadline); !sent) {
    return sent.error();
  }
  // The socket is connected, so the kernel only passes on datagrams from the server.
  std::vector<std::byte> datagram(65536);
  auto got = net::read_some(fd_.get(), datagram, deadline);
  if (!got) return got.error();
  return EchoReply{std::string(as_text(std::span(datagram).first(*got))), true};
}

}  // namespace soket::clients
