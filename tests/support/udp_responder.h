// UdpResponder: a test-side UDP server on 127.0.0.1 that answers each datagram with whatever
// the test's function returns: replies no real server would send (malformed, spoofed, from
// the wrong port). It runs on a thread of its own and stops when destroyed.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <span>
#include <thread>
#include <vector>

#include "net/fd.h"

namespace soket::test {

struct CannedReply {
  std::vector<std::byte> bytes;
  bool from_other_port = false;  // Sent from a second socket: a reply a client must ignore.
};

class UdpResponder {
 public:
  using Respond = std::function<std::vector<CannedReply>(std::span<const std::byte> query)>;
  explicit UdpResponder(Respond respond);
  ~UdpResponder();
  int port() const { return port_; }

 private:
  void serve();

  Respond respond_;
  net::Fd socket_, stray_;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace soket::test
