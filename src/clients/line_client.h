// LineClient: one request line, one reply line, for line protocols such as transform.
// TCP: the request goes out with LF; the reply is read up to its LF (bytes after it wait for
// the next call). UDP: one datagram each way; a trailing LF is taken off the reply.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/buffer.h"
#include "core/clock.h"
#include "core/result.h"
#include "net/address.h"
#include "net/fd.h"
#include "net/resolver.h"

namespace soket::clients {

struct LineClientConfig {
  std::string host = "localhost";
  std::uint16_t port = 0;
  net::Transport transport = net::Transport::tcp;
  Duration timeout = std::chrono::seconds(10);
  std::size_t max_reply = 1 << 20;  // A longer reply line is an error, not a memory hog.
};

class LineClient {
 public:
  static Result<LineClient> connect(const LineClientConfig& config);

  // The reply without its line end. std::errc::connection_aborted when the server closed
  // first; std::errc::message_size when the reply passed max_reply.
  Result<std::string> request(std::string_view line);
  const net::Address& peer() const { return peer_; }

 private:
  LineClient(net::Fd fd, net::Address peer, const LineClientConfig& config);
  Result<std::string> read_line(TimePoint deadline);

  net::Fd fd_;
  net::Address peer_;
  LineClientConfig config_;
  Buffer pending_;  // TCP bytes received past the last reply's LF.
};

}  // namespace soket::clients
