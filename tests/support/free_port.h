// A TCP port of 127.0.0.1 that nobody holds at this moment: the kernel's ephemeral pick,
// released for a real server (nginx, redis-server) to bind. Another program may take it in
// between; the servers' starts fail then, and say so.
#pragma once

#include "net/socket_ops.h"

namespace soket::test {

inline int free_port() {
  auto fd = net::open_listener(net::Address::parse("127.0.0.1", 0).value(), {}, 1);
  return net::local_address(fd->get())->port();
}

}  // namespace soket::test
