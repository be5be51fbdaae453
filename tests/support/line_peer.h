// LinePeer: a test-side client that speaks a line protocol over TCP (LF-terminated lines)
// or UDP (one line per datagram), with bounded waits.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "net/fd.h"
#include "net/resolver.h"

namespace soket::test {

class LinePeer {
 public:
  LinePeer(int port, net::Transport transport);
  // The bytes as they are (TCP: may hold several lines, or part of one).
  void send_raw(std::string_view bytes);
  // One line: TCP adds the LF; UDP sends it as one datagram.
  void send(const std::string& line);
  // The next line without its LF, or "<timeout>" / "<closed>".
  std::string next(std::chrono::milliseconds wait = std::chrono::seconds(5));
  // Skips lines until one equal to `wanted` (true), or none comes in time (false).
  bool expect(const std::string& wanted, std::chrono::milliseconds wait = std::chrono::seconds(5));
  void close() { fd_.reset(); }

 private:
  net::Transport transport_;
  net::Fd fd_;
  std::string pending_;
};

}  // namespace soket::test
