// A test-side load: many TCP clients at once, each sending pseudo-random bytes and reading
// the echo back, checked by a hash of everything sent against everything received.
// It is independent of soket's own reactor on purpose: raw epoll, written for the test.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace soket::test {

struct EchoLoadResult {
  int completed = 0;   // Clients whose whole echo came back.
  int mismatched = 0;  // Clients whose echo hash differed from what they sent.
  int failed = 0;      // Clients whose connection failed or closed early.
  std::string first_error;
};

EchoLoadResult run_echo_load(int port, int clients, std::size_t bytes_each,
                             std::chrono::seconds timeout);

}  // namespace soket::test
