// What the engine's hostile tests share: a soket server's VmRSS and open fds from /proc, its
// summary line's numbers, and whether this kernel lets a process use io_uring.
#pragma once

#include <linux/io_uring.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include "conn/detail/provided_buffers.h"
#include "support/child_process.h"
#include "support/proc_status.h"
#include "support/test_backend.h"

namespace soket::test {

inline long open_fds(pid_t pid) {
  std::error_code error;
  long count = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", error);
       !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
    ++count;
  }
  return error ? -1 : count;
}

struct Summary {
  std::uint64_t connections = 0, bytes_in = 0, bytes_out = 0;
  bool found = false;
};
inline Summary summary_of(const std::string& out) {
  static const std::regex line(
      R"(summary: (\d+) connections, \d+ datagrams in, \d+ datagrams out, (\d+) bytes in, (\d+) bytes out)");
  std::smatch match;
  if (!std::regex_search(out, match, line)) return {};
  return {std::stoull(match[1]), std::stoull(match[2]), std::stoull(match[3]), true};
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kUnderAsan = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kUnderAsan = true;
#else
constexpr bool kUnderAsan = false;
#endif
#else
constexpr bool kUnderAsan = false;
#endif

// A bound on a server's memory growth, in KiB, for a memory test. Under AddressSanitizer the
// server (built the same way) keeps freed memory in a quarantine (cut to 16 MiB by
// start_measured_server) and pays shadow memory on top: the bound doubles, still far below
// what a server ignoring its limits would reach.
inline long growth_bound_kib(long kib) {
  return kUnderAsan ? 2 * kib : kib;
}

// What io_uring's loops hold in provided buffers once streams have cycled through them all
// (conn/detail/provided_buffers.h), in KiB: a fixed cost per loop, not a per-peer one, so a
// server that ignored its per-peer limits still passes a bound by far. Nothing on epoll.
inline long io_uring_receive_buffers_kib(long loops) {
  if (test_backend() == "epoll") return 0;
  const auto kib = [](const conn::detail::BufferShape& shape) {
    return static_cast<long>(shape.count * shape.size / 1024);
  };
  return loops * (kib(conn::detail::kStreamBuffers) + kib(conn::detail::kBulkBuffers));
}

// start_soket_server for memory tests: under AddressSanitizer, with a 16 MiB quarantine.
inline StartedServer start_measured_server(std::vector<std::string> args) {
  std::vector<std::string> environment;
  if (kUnderAsan) {
    const char* options = std::getenv("ASAN_OPTIONS");
    environment.push_back(std::string("ASAN_OPTIONS=") + (options ? options : "") +
                          (options && *options ? ":" : "") + "quarantine_size_mb=16");
  }
  args = with_test_backend(std::move(args));
  auto argv = args;
  argv.insert(argv.begin(), soket_binary());
  StartedServer server;
  server.process = std::make_unique<ChildProcess>(std::move(argv), false, std::move(environment));
  auto line = server.process->wait_for_line("listening on", 30s);
  if (line) {
    server.line = *line;
    server.port = port_of(*line);
    expect_backend_ran(*server.process, args);
  }
  return server;
}

}  // namespace soket::test
