// A chat member speaking seed 004's protocol by hand, over TCP or UDP, for the chat suites.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "support/line_peer.h"

namespace soket::test {

inline constexpr const char* kPassword = "kata sandi";

// Over UDP it takes the token the server sends after USERNAME OK and starts each later
// datagram with it.
class Peer : public LinePeer {
 public:
  Peer(int port, net::Transport transport)
      : LinePeer(port, transport), udp_(transport == net::Transport::udp) {}
  void send(const std::string& line) {
    LinePeer::send(token_.empty() ? line : "TOKEN " + token_ + " " + line);
  }
  void join(const std::string& name) {
    send(std::string("PASSWORD ") + kPassword);
    ASSERT_EQ(next(), "PASSWORD OK");
    send("USERNAME " + name);
    ASSERT_EQ(next(), "USERNAME OK");
    if (udp_) {
      const auto token = next();
      ASSERT_EQ(token.rfind("TOKEN ", 0), 0u) << token;
      token_ = token.substr(6);
    }
    ASSERT_TRUE(expect(name + " joined the chat room."));
  }

 private:
  bool udp_;
  std::string token_;
};

}  // namespace soket::test
