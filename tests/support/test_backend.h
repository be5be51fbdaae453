// The engine the server suites run under. CTest registers the integration and hostile suites
// once per backend (tests named "io_uring.*" and "epoll.*") with SOKET_TEST_BACKEND set; every
// soket server those tests start is given `--backend` that backend, and each start checks
// that the engine asked for is the one that runs: a silent fallback fails the test.
#pragma once

#include <string>
#include <vector>

namespace soket::test {

class ChildProcess;

// "io_uring", "epoll", or empty when the suite runs outside CTest's per-backend runs.
std::string test_backend();

// `args` (after the binary) with `--backend <test_backend()>` added when they start a TCP
// server of soket's (`echo server`, `transform server`, `chat server`) and name no backend.
std::vector<std::string> with_test_backend(std::vector<std::string> args);

// Whether `args` (after the binary) start a server that takes `--backend`.
bool takes_backend(const std::vector<std::string>& args);

// Checks a started server against the backend it was given: its first stderr line names that
// engine for its TCP connections, no loop fell back, and on io_uring it holds an io_uring fd.
void expect_backend_ran(ChildProcess& server, const std::vector<std::string>& args);

}  // namespace soket::test
