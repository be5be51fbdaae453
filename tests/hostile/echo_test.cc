// The echo server against hostile peers (issue 12), on each backend (the suite runs once per
// backend). An io_uring run that finds the server fell back to epoll fails: it would
// otherwise pass for the wrong backend.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <iostream>
#include <regex>

#include "hostile/attacker.h"
#include "hostile/hostile_server.h"

namespace soket::test {
namespace {

// Runs on the suite's backend (SOKET_TEST_BACKEND): start_measured_server gives the server
// `--backend` it and fails the test if another engine serves.
class HostileEcho : public ::testing::Test {
 protected:
  StartedServer start(std::vector<std::string> flags) {
    std::vector<std::string> args{"echo", "server", "-p", "0"};
    args.insert(args.end(), flags.begin(), flags.end());
    auto server = start_measured_server(args);
    EXPECT_GT(server.port, 0) << "no listening line: " << server.process->err();
    return server;
  }

  // SIGTERM, exit 0, and no loop fell back to epoll. Returns the summary.
  Summary stop(StartedServer& server) {
    server.process->send_signal(SIGTERM);
    EXPECT_EQ(server.process->wait_exit(30s), 0) << server.process->err();
    EXPECT_EQ(server.process->err().find("io_uring unavailable"), std::string::npos)
        << "the server fell back to epoll: " << server.process->err();
    const auto summary = summary_of(server.process->out());
    EXPECT_TRUE(summary.found) << server.process->out();
    return summary;
  }
};

// 1: peers that send 1-4 MiB, read little and reset. splice() into a reset socket raises
// SIGPIPE; the server must live on and answer a fresh client after every round.
TEST_F(HostileEcho, PeersThatResetMidBulkDoNotKillTheServer) {
  auto server = start({"--threads", "2", "-q"});
  const auto result =
      run_attacker("reset_flood", {"127.0.0.1", std::to_string(server.port), "20", "8"}, 120s);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err << server.process->err();
  EXPECT_FALSE(server.process->wait_exit(0ms).has_value()) << "the server died";
  stop(server);
}

// Splice safety (issue 14): bulk echoes go through one pipe per loop (epoll); peers that reset
// mid-bulk, again and again, while others stream, must never leave a byte for another peer.
TEST_F(HostileEcho, PeersThatResetMidSpliceNeverLeakBytesToOthers) {
  auto server = start({"-q"});
  const auto result = run_attacker(
      "splice_crosstalk", {"127.0.0.1", std::to_string(server.port), "4", "32", "6"}, 180s);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err << server.process->err();
  std::cout << result.out;
  stop(server);
}

// 3: SIGTERM while peers stream and while slow readers have echoes queued. Every byte the
// server read must reach its peer before the FIN: no reset throws queued bytes away.
TEST_F(HostileEcho, SigtermMidTransferEchoesEveryByteRead) {
  auto server = start({"--threads", "2", "-q", "--max-output", "262144", "--sndbuf", "131072"});
  ChildProcess attacker(
      {attacker_path("sigterm_midstream"), "127.0.0.1", std::to_string(server.port), "6", "4"});
  ASSERT_TRUE(attacker.wait_for_line("streaming", 60s).has_value()) << attacker.err();
  const auto summary = stop(server);
  ASSERT_EQ(attacker.wait_exit(90s), 0) << attacker.out() << attacker.err();
  std::smatch match;
  const std::string out = attacker.out();
  ASSERT_TRUE(std::regex_search(out, match, std::regex(R"(received (\d+) )"))) << out;
  const std::uint64_t received = std::stoull(match[1]);
  EXPECT_EQ(received, summary.bytes_out) << "bytes the peers got back != bytes the server sent\n"
                                         << out;
  EXPECT_EQ(summary.bytes_in, summary.bytes_out) << "the server did not echo all it read";
  EXPECT_GT(received, 0u);
}

// 4: connections that never send are dropped at --handshake-timeout (1 s here; dropped no
// sooner than 0.9 s, no later than 16 s); connections that sent a byte stay and answer.
TEST_F(HostileEcho, SilentConnectionsAreDroppedAtTheHandshakeTimeout) {
  auto server = start({"--threads", "2", "-q", "--handshake-timeout", "1"});
  const auto result =
      run_attacker("slowloris", {"127.0.0.1", std::to_string(server.port), "200", "20", "1000"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  stop(server);
}

// 5: ten thousand connections at once. Each gets its echo, a fresh client is answered within
// 2 s, the server's memory stays under 2 KiB a connection (plus 32 MiB), every connection
// closes with a FIN, and afterwards the server holds only its own fds: those it had before
// plus what each loop opens once (its epoll, eventfd and splice pipe), never ~10,000.
TEST_F(HostileEcho, TenThousandConnectionsHeavy) {
  auto server = start({"--threads", "2", "-q"});
  const pid_t pid = server.process->pid();
  const long fds_before = open_fds(pid);
  const long limit = vm_rss_kib(pid) + growth_bound_kib(10000 * 2 + 32 * 1024);
  const auto result = run_attacker("many_conns",
                                   {"127.0.0.1", std::to_string(server.port), std::to_string(pid),
                                    "10000", std::to_string(limit)},
                                   300s);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  constexpr long kLoopFds = 16;
  long fds = -1;
  for (int i = 0; i < 600 && (fds = open_fds(pid)) > fds_before + kLoopFds; ++i) {
    server.process->wait_exit(50ms);  // Polls the child; returns at once if it died.
  }
  EXPECT_LE(fds, fds_before + kLoopFds) << "the server still holds connections";
  EXPECT_GE(fds, fds_before);
  const auto summary = stop(server);
  EXPECT_EQ(summary.connections, 10001u);
}

// 6: peers that never read cost at most --max-output each (plus one read's worth and the
// input buffer); a server that ignored the limit would hold all 640 MiB they send.
TEST_F(HostileEcho, PeersThatNeverReadCostAtMostMaxOutputEach) {
  auto server = start({"--threads", "2", "-q", "--max-output", "1048576"});
  const pid_t pid = server.process->pid();
  constexpr long kClients = 20;
  // Per peer: 1 MiB queued, one more read or splice (<= 1 MiB) and its input (<= 320 KiB);
  // 24 MiB for the threads, the splice pipes and the allocator, and io_uring's receive
  // buffers on its two loops.
  const long limit = vm_rss_kib(pid) + growth_bound_kib(kClients * (1024 + 1024 + 320) + 24 * 1024 +
                                                        io_uring_receive_buffers_kib(2));
  const auto result =
      run_attacker("never_read", {"127.0.0.1", std::to_string(server.port), std::to_string(pid),
                                  std::to_string(kClients), "echo", std::to_string(limit)});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  stop(server);
}

// 7: --max-conns 20 with 30 peers: exactly 20 served, 10 closed at once, and a slot freed by a
// close is given to the next peer. A server that ignored the limit would serve all 30.
TEST_F(HostileEcho, MaxConnsServesExactlyThatMany) {
  auto server = start({"--threads", "2", "-q", "--max-conns", "20"});
  const auto result =
      run_attacker("max_conns", {"127.0.0.1", std::to_string(server.port), "20", "10"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  stop(server);
}

}  // namespace
}  // namespace soket::test

namespace soket::test {
namespace {

// 2: --max-output past what a connection's buffer can take (2 GiB, half its 4 GiB cap) is a
// usage error with one line, not a server whose buffers would wrap or throw past 4 GiB.
TEST(HostileEchoFlags, MaxOutputPastTheBufferCapIsAUsageError) {
  for (const char* too_big : {"2147483649", "4294967296", "17179869184"}) {
    const auto result =
        run({soket_binary(), "echo", "server", "-p", "0", "--max-output", too_big}, {}, 10s);
    EXPECT_EQ(result.exit_code, 2) << too_big << ": " << result.out << result.err;
    EXPECT_NE(result.err.find("--max-output"), std::string::npos) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  }
  auto server = start_soket_server({"echo", "server", "-p", "0", "--max-output", "2147483648"});
  EXPECT_GT(server.port, 0);
  server.process->send_signal(SIGTERM);
  EXPECT_EQ(server.process->wait_exit(10s), 0);
}

}  // namespace
}  // namespace soket::test
