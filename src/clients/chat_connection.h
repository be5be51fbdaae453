// ChatConnection: a client's line channel to a chat server, over TCP (lines ending in LF)
// or UDP (one line per datagram). Its fd is non-blocking, so a client can poll it together
// with the keyboard.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/buffer.h"
#include "core/clock.h"
#include "core/result.h"
#include "net/fd.h"
#include "net/resolver.h"
#include "proto/line/line_framer.h"

namespace soket::clients {

class ChatConnection {
 public:
  static Result<ChatConnection> connect(std::string_view host, std::uint16_t port,
                                        net::Transport transport, Duration timeout);

  int fd() const { return fd_.get(); }
  net::Transport transport() const { return transport_; }
  Result<void> send_line(std::string_view line, TimePoint deadline);
  // The complete lines that have arrived (none is fine). std::errc::connection_aborted once
  // a TCP server has closed and every line before that was taken.
  Result<std::vector<std::string>> receive();
  // Waits for the next line, for the login steps.
  Result<std::string> wait_line(TimePoint deadline);
  // UDP, after USERNAME OK: waits until `deadline` for the server's "TOKEN <hex>" line (other
  // lines stay to be received) and from then on starts each datagram with the token. False
  // when none came (a server without tokens, such as seed 004's own).
  bool await_token(TimePoint deadline);

 private:
  ChatConnection(net::Fd fd, net::Transport transport)
      : fd_(std::move(fd)), transport_(transport), framer_(64 * 1024) {}

  net::Fd fd_;
  net::Transport transport_;
  Buffer pending_;
  proto::line::LineFramer framer_;
  std::vector<std::string> ready_;  // Lines received by wait_line's reads, not yet taken.
  std::string token_;               // UDP: proves our datagrams are ours.
  bool closed_ = false;
};

}  // namespace soket::clients
