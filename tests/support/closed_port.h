// A TCP port of 127.0.0.1 that refuses every connection for as long as this object lives: a
// socket holds it bound but never listens. A port picked and released (free_port) is no such
// thing: a test running beside this one may bind it in between and answer there.
#pragma once

#include <sys/socket.h>

#include "net/socket_ops.h"

namespace soket::test {

class ClosedTcpPort {
 public:
  ClosedTcpPort() : socket_(net::open_socket(AF_INET, SOCK_STREAM).value()) {
    const auto any_port = net::Address::parse("127.0.0.1", 0).value();
    if (::bind(socket_.get(), any_port.data(), any_port.length()) == 0) {
      port_ = net::local_address(socket_.get())->port();
    }
  }
  int port() const { return port_; }  // 0 if the bind failed; connecting to 0 fails too.

 private:
  net::Fd socket_;
  int port_ = 0;
};

}  // namespace soket::test
