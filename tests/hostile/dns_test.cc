// `soket dns` against a malicious DNS server (attackers/dns_server.cc): spoofed and short
// datagrams, malformed replies over UDP and TCP, TCP retries that are closed, reset, cut off
// or trickled forever, and a flood. Each asserts the exit code, the one line on stderr and
// that the client ended within its --timeout (with a margin for a slow, shared machine).
//
// SOKET_DNS_UNDER_TEST=/path/to/soket runs the same attacks against another binary (the
// baseline, to show which of them it failed).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "hostile/attacker.h"

namespace soket::test {
namespace {

using Clock = std::chrono::steady_clock;

std::string binary() {
  const char* other = std::getenv("SOKET_DNS_UNDER_TEST");
  return other != nullptr && *other != '\0' ? other : soket_binary();
}

struct Asked {
  RunResult result;
  double seconds = 0;
};

class DnsAttack {
 public:
  explicit DnsAttack(const std::string& mode) : server_({attacker_path("dns_server"), mode, "90"}) {
    if (auto line = server_.wait_for_line("listening on", 20s)) port_ = port_of(*line);
  }
  int port() const { return port_; }

  Asked ask(std::vector<std::string> extra) {
    std::vector<std::string> args = {
        binary(), "dns", "x.test", "@127.0.0.1", "-p", std::to_string(port_), "--short"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto start = Clock::now();
    Asked asked{run(args, {}, 60s), 0};
    asked.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return asked;
  }

 private:
  ChildProcess server_;
  int port_ = 0;
};

// One line on stderr, starting "soket: ", holding every one of `parts`.
void expect_line(const RunResult& r, std::initializer_list<const char*> parts) {
  EXPECT_EQ(r.err.rfind("soket: ", 0), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  for (const char* part : parts) EXPECT_NE(r.err.find(part), std::string::npos) << r.err;
}

// Short datagrams (1, 2, 11 bytes), another ID, another question and a reply with our ID that
// does not parse all come first from the server's own address and port: each is ignored, and
// the real reply that follows is taken at once (long before the 30 s timeout; the bound of
// 20 s leaves room for a sanitized build on a loaded machine).
TEST(DnsHostile, SpoofedAndShortDatagramsAreIgnored) {
  DnsAttack attack("spoof-then-real");
  ASSERT_NE(attack.port(), 0);
  auto asked = attack.ask({"--timeout", "30", "--tries", "1"});
  EXPECT_EQ(asked.result.exit_code, 0) << asked.result.err;
  EXPECT_EQ(asked.result.out, "192.0.2.7\n") << asked.result.err;
  EXPECT_LT(asked.seconds, 20.0);
}

// The same with 41 queries (40 from a file), 8 in flight: each exchange is filtered on its own (its
// socket, its ID), so every one takes its own real reply.
TEST(DnsHostile, SpoofedDatagramsIgnoredForEveryQueryInFlight) {
  DnsAttack attack("spoof-then-real");
  ASSERT_NE(attack.port(), 0);
  const std::string path = "/tmp/soket-dns-hostile-" + std::to_string(::getpid());
  {
    std::ofstream file(path);
    for (int i = 0; i < 40; ++i) file << "n" << i << ".test\n";
  }
  auto asked = attack.ask({"-f", path, "--concurrency", "8", "--timeout", "30", "--tries", "1"});
  std::remove(path.c_str());
  EXPECT_EQ(asked.result.exit_code, 0) << asked.result.err;
  std::string expected;  // x.test of the command line, then the file's 40 names (as dig does).
  for (int i = 0; i < 41; ++i) expected += "192.0.2.7\n";
  EXPECT_EQ(asked.result.out, expected) << asked.result.err;
  EXPECT_LT(asked.seconds, 20.0);
}

struct MalformedCase {
  const char* mode;
  const char* message;
};

const MalformedCase kMalformed[] = {
    {"pointer-loop", "compression pointer does not point backwards"},
    {"pointer-forward", "compression pointer does not point backwards"},
    {"rdlength-overrun", "record's data runs past the end"},
    {"huge-counts", "header counts more records"},
    {"bad-label", "label of an unknown kind"},
    {"long-name", "longer than 255 bytes"},
};

// Over UDP a reply with our ID that does not parse is held while the try lasts (a real reply
// may still come), then reported.
TEST(DnsHostile, MalformedUdpRepliesAreClearErrors) {
  for (const auto& c : kMalformed) {
    DnsAttack attack(c.mode);
    ASSERT_NE(attack.port(), 0);
    auto asked = attack.ask({"--timeout", "1", "--tries", "1"});
    EXPECT_EQ(asked.result.exit_code, 13) << c.mode << ": " << asked.result.err;
    expect_line(asked.result, {"malformed reply from 127.0.0.1", c.message});
    EXPECT_LT(asked.seconds, 20.0) << c.mode;  // One 1 s try, not a hang; room for ASan.
  }
}

// ... and it ends the query when that one try ends: the server did answer, so it is not asked
// again (three tries of 3 s would take 9 s).
TEST(DnsHostile, MalformedUdpReplyEndsTheQueryAfterOneTry) {
  DnsAttack attack("rdlength-overrun");
  ASSERT_NE(attack.port(), 0);
  auto asked = attack.ask({"--timeout", "3", "--tries", "3"});
  EXPECT_EQ(asked.result.exit_code, 13) << asked.result.err;
  EXPECT_GE(asked.seconds, 2.9);  // Held until the try's end, in case the real reply came.
  EXPECT_LT(asked.seconds, 7.5);
}

TEST(DnsHostile, MalformedTcpRepliesAreClearErrors) {
  for (const auto& c : kMalformed) {
    DnsAttack attack(c.mode);
    ASSERT_NE(attack.port(), 0);
    auto asked = attack.ask({"--tcp", "--timeout", "30"});
    EXPECT_EQ(asked.result.exit_code, 13) << c.mode << ": " << asked.result.err;
    expect_line(asked.result, {"malformed reply from 127.0.0.1", c.message});
    EXPECT_LT(asked.seconds, 20.0) << c.mode;  // At once, not at the 30 s timeout.
  }
}

// A CAA tag with a line end and an escape sequence (RFC 8659 allows letters and digits): refused
// as malformed, and not one byte of it reaches stdout, where a terminal would obey it.
TEST(DnsHostile, EscapeSequenceInACaaTagNeverReachesTheTerminal) {
  DnsAttack attack("caa-escape");
  ASSERT_NE(attack.port(), 0);
  auto asked = attack.ask({"--timeout", "1", "--tries", "1"});
  EXPECT_EQ(asked.result.exit_code, 13) << asked.result.err;
  expect_line(asked.result, {"malformed reply from 127.0.0.1", "does not fit its type"});
  EXPECT_EQ(asked.result.out.find('\x1b'), std::string::npos) << asked.result.out;
  EXPECT_EQ(asked.result.err.find('\x1b'), std::string::npos) << asked.result.err;
}

TEST(DnsHostile, TcpRetryClosedAtOnceIsReportedAsSuch) {
  DnsAttack attack("tc-close");
  ASSERT_NE(attack.port(), 0);
  auto asked = attack.ask({"--timeout", "5", "--tries", "1"});
  EXPECT_EQ(asked.result.exit_code, 9) << asked.result.err;
  expect_line(asked.result,
              {"the TCP retry after a truncated UDP reply failed", "closed the connection"});
  EXPECT_EQ(asked.result.err.find("malformed"), std::string::npos) << asked.result.err;
}

TEST(DnsHostile, TcpClosedBeforeTheReplyWithoutRetry) {
  DnsAttack attack("tc-close");
  ASSERT_NE(attack.port(), 0);
  auto asked = attack.ask({"--tcp", "--timeout", "5"});
  EXPECT_EQ(asked.result.exit_code, 9) << asked.result.err;
  expect_line(asked.result, {"closed the connection before its reply"});
  EXPECT_EQ(asked.result.err.find("retry"), std::string::npos) << asked.result.err;
}

TEST(DnsHostile, TcpRetryResetIsReportedAsSuch) {
  DnsAttack attack("tc-reset");
  ASSERT_NE(attack.port(), 0);
  auto asked = attack.ask({"--timeout", "5", "--tries", "1"});
  EXPECT_EQ(asked.result.exit_code, 9) << asked.result.err;
  expect_line(asked.result, {"the TCP retry after a truncated UDP reply failed", "reset"});
}

TEST(DnsHostile, TcpRetryCutOffMidReply) {
  DnsAttack attack("tc-close-mid");
  ASSERT_NE(attack.port(), 0);
  auto asked = attack.ask({"--timeout", "5", "--tries", "1"});
  EXPECT_EQ(asked.result.exit_code, 9) << asked.result.err;
  expect_line(asked.result, {"the TCP retry after a truncated UDP reply failed",
                             "closed the connection in the middle of its reply"});
}

// The TCP reply comes one byte every 50 ms and never ends: --timeout (1 s) bounds the whole
// retry on the clock, not each read.
TEST(DnsHostile, TrickledTcpReplyEndsAtTheTimeout) {
  DnsAttack attack("tc-trickle");
  ASSERT_NE(attack.port(), 0);
  auto asked = attack.ask({"--timeout", "1", "--tries", "1"});
  EXPECT_EQ(asked.result.exit_code, 8) << asked.result.err;
  expect_line(asked.result, {"the TCP retry after a truncated UDP reply failed", "within 1 s"});
  EXPECT_LT(asked.seconds, 8.0);
}

// Datagrams with another ID pour in for 20 s from the server's address and port: the client
// still gives up when its one 1 s try is over.
TEST(DnsHostile, FloodOfWrongIdsDoesNotHoldTheClientPastItsTimeout) {
  DnsAttack attack("flood");
  ASSERT_NE(attack.port(), 0);
  auto asked = attack.ask({"--timeout", "1", "--tries", "1"});
  EXPECT_EQ(asked.result.exit_code, 8) << asked.result.err;
  expect_line(asked.result, {"no answer from"});
  EXPECT_LT(asked.seconds, 8.0);
}

// Replies with our ID for another question, each a long parse (3,000 records with 255-byte
// owners), pour in faster than the client can parse them, so its socket never runs dry: only
// the per-wake-up bound (a count, and the try's deadline) brings it back to its clock. It
// ends at its 1 s try with no answer; the flood lasts 20 s.
TEST(DnsHostile, FloodOfCostlyRepliesDoesNotHoldTheClientPastItsTimeout) {
  DnsAttack attack("flood-costly");
  ASSERT_NE(attack.port(), 0);
  auto asked = attack.ask({"--timeout", "1", "--tries", "1"});
  EXPECT_EQ(asked.result.exit_code, 8) << asked.result.err;
  expect_line(asked.result, {"no answer from 127.0.0.1"});
  EXPECT_LT(asked.seconds, 8.0);
}

}  // namespace
}  // namespace soket::test
