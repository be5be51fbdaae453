// LineClient: one request line, one reply line, for line protocols such as transform.
// TCP: the request goes out with LF; the reply is read up to its LF (bytes after it wait for
// the next call). UDP: one datagram each way; a trailing LF is taken off the reply.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "clients/client_target.h"
#include "core/buffer.h"
#include "core/clock.h"
#include "core/result.h"
#include "net/address.h"
#include "net/fd.h"
#include "net/resolver.h"

namespace soket::clients {

class LineClient {
 public:
  // A reply line longer than `max_reply` is an error, not a memory hog.
  static Result<LineClient> connect(const ClientTarget& target, std::size_t max_reply = 1 << 20);

  // The reply without its line end. std::errc::connection_aborted when the server closed
  // first; std::errc::message_size when the reply passed max_reply.
  Result<std::string> request(std::string_view line);
  const net::Address& peer() const { return peer_; }

 private:
  LineClient(net::Fd fd, net::Address peer, const ClientTarget& target, std::size_t max_reply);
  Result<std::string> read_line(TimePoint deadline);

  net::Fd fd_;
  net::Address peer_;
  ClientTarget target_;
  std::size_t max_reply_;
  Buffer pending_;  // TCP bytes received past the last reply's LF.
};

}  // namespace soket::clients
