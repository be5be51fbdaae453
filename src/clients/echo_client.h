// EchoClient: sends a message and waits for all of it to come back (seed 000's client,
// with the amount_expected loop done right: TCP may return the echo in any number of pieces).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "clients/client_target.h"
#include "core/clock.h"
#include "core/result.h"
#include "net/address.h"
#include "net/fd.h"
#include "net/resolver.h"

namespace soket::clients {

struct EchoReply {
  std::string bytes;
  bool complete = false;  // False when the server closed before the whole echo came back.
};

class EchoClient {
 public:
  // Resolves the host and tries each address until one connects. Errors: resolver_category()
  // codes, std::errc::connection_refused, std::errc::timed_out, and other socket errors.
  static Result<EchoClient> connect(const ClientTarget& config);

  // One message, one echo: for TCP as many bytes as were sent, for UDP one datagram.
  Result<EchoReply> exchange(std::string_view message);
  const net::Address& peer() const { return peer_; }

 private:
  EchoClient(net::Fd fd, net::Address peer, const ClientTarget& config);
  Result<EchoReply> exchange_stream(std::string_view message, TimePoint deadline);
  Result<EchoReply> exchange_datagram(std::string_view message, TimePoint deadline);

  net::Fd fd_;
  net::Address peer_;
  net::Transport transport_;
  Duration timeout_;
};

}  // namespace soket::clients
