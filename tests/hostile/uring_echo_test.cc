// The io_uring connection backend (`soket echo server --backend io_uring`) against hostile
// peers.
// Each test starts the real server, proves it really runs on io_uring (an io_uring fd in
// /proc/PID/fd and no fallback warning: a server that silently fell back to epoll fails
// here), runs one attacker (tests/hostile/attackers/uring_*.cc) and asserts on its verdict
// and on the server's own summary. Skipped, with the reason, only where the kernel refuses
// io_uring. The attacks both engines face (resets mid-bulk, SIGTERM mid-transfer, --max-conns,
// slowloris, peers that never read, 10,000 connections) are in echo_test.cc and the other
// suites, which run once per backend;
// here are those that only io_uring's own machinery can fail (its shared buffer ring, its
// submission queue, its teardown with operations in flight).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <regex>

#include "hostile/attacker.h"
#include "hostile/hostile_server.h"
#include "support/echo_load.h"
#include "support/io_uring_check.h"

namespace soket::test {
namespace {

StartedServer start_uring_server(std::vector<std::string> extra) {
  std::vector<std::string> args = {"echo", "server", "-p", "0", "-q", "--backend", "io_uring"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto server = start_soket_server(std::move(args));
  if (server.process) expect_on_io_uring(*server.process);
  return server;
}

// Stops the server and checks it exits 0 within its grace period and a margin.
Summary stop(StartedServer& server) {
  server.process->send_signal(SIGTERM);
  const auto code = server.process->wait_exit(30s);
  EXPECT_EQ(code, 0) << server.process->err();
  return summary_of(server.process->out());
}

TEST(UringEchoHostile, HeavyClientsThatNeverReadHoldABoundedShareAndNewcomersAreServed) {
  SOKET_SKIP_WITHOUT_IO_URING();
  // 40 clients that never read, each pushing 8 MiB, against --max-output 256 KiB (small
  // server socket buffers, so that what they push lands in the server's queues): fresh
  // clients must be echoed meanwhile, and the server may queue at most 40 x 256 KiB.
  constexpr std::uint64_t kHoarders = 40, kLimit = 256 * 1024;
  auto server = start_uring_server({"--threads", "1", "--max-output", std::to_string(kLimit),
                                    "--sndbuf", "65536", "--rcvbuf", "65536"});
  // The attacker also bounds the server's resident growth: 96 MiB, loose enough for ASan's
  // quarantine, tight against the ~4 MiB per hoarder (160 MiB) of an ignored limit.
  const auto result =
      run_attacker("uring_hoard",
                   {"127.0.0.1", std::to_string(server.port), std::to_string(server.process->pid()),
                    std::to_string(kHoarders), std::to_string(8 << 20), "96"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("hoarders 40"), std::string::npos) << result.out;
  // The exact bound: what the server read but never sent back is what sat in the hoarders'
  // queues when they reset (fresh clients got all theirs back).
  const auto summary = stop(server);
  const auto never_sent = summary.bytes_in - summary.bytes_out;
  EXPECT_LE(never_sent, kHoarders * kLimit) << server.process->out();
  EXPECT_GE(never_sent, kHoarders * kLimit / 2) << "the hoarders did not fill their queues";
}

TEST(UringEchoHostile, SigtermWithPeersThatNeverReadEndsAfterTheGracePeriod) {
  SOKET_SKIP_WITHOUT_IO_URING();
  // Peers that never read keep sends in flight forever: after the 5 s grace period the
  // server must end those operations and reap them before its rings go, and exit 0.
  auto server = start_uring_server(
      {"--threads", "2", "--max-output", "65536", "--sndbuf", "65536", "--rcvbuf", "65536"});
  std::vector<int> stuck;
  const std::string chunk(64 * 1024, 's');
  for (int i = 0; i < 8; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int small = 4096;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<std::uint16_t>(server.port));
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
    // Push until the server stops taking bytes (a poll for writability times out).
    for (int round = 0; round < 1000; ++round) {
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, 300) <= 0) break;
      if (::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL | MSG_DONTWAIT) < 0 &&
          errno != EAGAIN) {
        break;
      }
    }
    stuck.push_back(fd);
  }
  const auto start = std::chrono::steady_clock::now();
  server.process->send_signal(SIGTERM);
  EXPECT_EQ(server.process->wait_exit(30s), 0) << server.process->err();
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, 4s) << "the server did not wait for its peers";
  EXPECT_NE(server.process->err().find("grace period"), std::string::npos) << server.process->err();
  EXPECT_EQ(server.process->err().find("did not end in time"), std::string::npos)
      << server.process->err();
  EXPECT_EQ(summary_of(server.process->out()).connections, 8u) << server.process->out();
  for (const int fd : stuck) ::close(fd);
}

TEST(UringEchoHostile, AFullSubmissionQueueLosesNoOperation) {
  SOKET_SKIP_WITHOUT_IO_URING();
  // A ring of 2 entries for 100 connections: nearly every operation finds the queue full.
  ChildProcess server({soket_binary(), "echo", "server", "-p", "0", "-q", "--threads", "1",
                       "--backend", "io_uring"},
                      false, {"SOKET_URING_ENTRIES=2"});
  const auto line = server.wait_for_line("listening on", 10s);
  ASSERT_TRUE(line) << server.err();
  expect_on_io_uring(server);
  const auto load = run_echo_load(port_of(*line), 100, 64 * 1024, std::chrono::seconds(60));
  EXPECT_EQ(load.completed, 100) << "first error: " << load.first_error;
  EXPECT_EQ(load.mismatched, 0);
  server.send_signal(SIGTERM);
  EXPECT_EQ(server.wait_exit(30s), 0) << server.err();
  const auto summary = summary_of(server.out());
  EXPECT_EQ(summary.bytes_in, 100u * 64 * 1024) << server.out();
  EXPECT_EQ(summary.bytes_out, summary.bytes_in) << server.out();
}

TEST(UringEchoHostile, SilentConnectionsAreDroppedAfterTheHandshakeTimeout) {
  SOKET_SKIP_WITHOUT_IO_URING();
  auto server = start_uring_server({"--threads", "2", "--handshake-timeout", "1"});
  const auto result = run_attacker(
      "uring_silent", {"127.0.0.1", std::to_string(server.port), "handshake", "20", "1"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("dropped 20"), std::string::npos) << result.out;
  stop(server);
}

TEST(UringEchoHostile, IdleConnectionsAreDroppedAfterTheIdleTimeout) {
  SOKET_SKIP_WITHOUT_IO_URING();
  auto server =
      start_uring_server({"--threads", "2", "--handshake-timeout", "0", "--idle-timeout", "2"});
  const auto result =
      run_attacker("uring_silent", {"127.0.0.1", std::to_string(server.port), "idle", "10", "2"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("dropped 10"), std::string::npos) << result.out;
  stop(server);
}

}  // namespace
}  // namespace soket::test
