// Checks for tests of io_uring's own machinery (`--backend io_uring`): whether this kernel
// gives io_uring at all, and proof that a running server really serves on it rather than
// having fallen back to epoll.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "conn/engine.h"
#include "support/child_process.h"
#include "support/test_backend.h"

namespace soket::test {

// Why io_uring cannot be used here, or empty when it can: the server's own probe (a ring and
// a provided buffer ring), not a twin of it that could judge differently.
inline std::string io_uring_refusal() {
  return conn::choose_engine(conn::EngineRequest::io_uring).refusal;
}

// For a test of io_uring alone: skipped where the kernel refuses io_uring, and in the epoll
// run of a suite (it would run the same io_uring server twice).
#define SOKET_SKIP_WITHOUT_IO_URING()                                            \
  do {                                                                           \
    if (auto why = ::soket::test::io_uring_refusal(); !why.empty()) {            \
      GTEST_SKIP() << why;                                                       \
    }                                                                            \
    if (::soket::test::test_backend() == "epoll") {                              \
      GTEST_SKIP() << "a test of io_uring alone: it runs in the io_uring suite"; \
    }                                                                            \
  } while (0)

// How many io_uring instances the process holds (one per loop on this backend).
inline int io_uring_fds(pid_t pid) {
  int count = 0;
  std::error_code error;
  const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    std::error_code link_error;
    const auto target = std::filesystem::read_symlink(entry.path(), link_error);
    if (!link_error && target.string().find("io_uring") != std::string::npos) ++count;
  }
  return count;
}

// The loops make their rings just after the `listening on` line: polls for an io_uring fd
// (bounded), then checks that no loop warned of falling back to epoll.
inline void expect_on_io_uring(ChildProcess& server) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (io_uring_fds(server.pid()) == 0 && std::chrono::steady_clock::now() < deadline) {
    ::usleep(10'000);
  }
  EXPECT_GE(io_uring_fds(server.pid()), 1) << "no io_uring fd: the server is not on io_uring";
  server.wait_for_stderr_line("io_uring unavailable", std::chrono::milliseconds(0));
  EXPECT_EQ(server.err().find("io_uring unavailable"), std::string::npos) << server.err();
}

}  // namespace soket::test
