// soket dns against Knot DNS on loopback, with dig against the same server as the oracle;
// and against a raw responder for replies no real server sends.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/byte_reader.h"
#include "core/byte_writer.h"
#include "integration/dns_knot.h"
#include "net/socket_ops.h"
#include "support/child_process.h"
#include "support/udp_responder.h"

namespace soket::test {
namespace {

// Each test starts a knotd (heavy-ish): "Heavy" in the suite's name serialises them.
class DnsKnotHeavy : public testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(knot_.ready()) << knot_.err(); }

  RunResult soket(std::vector<std::string> args) {
    args.insert(args.begin(), {soket_binary(), "dns"});
    args.insert(args.end(), {"@127.0.0.1", "-p", std::to_string(knot_.port()), "--timeout", "2"});
    return run(args);
  }
  RunResult dig(std::vector<std::string> args) {
    args.insert(args.begin(), "dig");
    args.insert(args.end(), {"@127.0.0.1", "-p", std::to_string(knot_.port()), "+short", "+time=2",
                             "+tries=1"});
    return run(args);
  }
  void expect_same_as_dig(std::vector<std::string> words) {
    auto ours = soket([&] {
      auto args = words;
      args.push_back("--short");
      return args;
    }());
    auto theirs = dig(words);
    ASSERT_EQ(theirs.exit_code, 0) << theirs.err;
    EXPECT_EQ(ours.exit_code, 0) << ours.err;
    EXPECT_FALSE(theirs.out.empty());
    EXPECT_EQ(lines_of(ours.out), lines_of(theirs.out)) << "for " << words[0];
  }

  Knot knot_;
};

TEST_F(DnsKnotHeavy, EveryTypeMatchesDig) {
  expect_same_as_dig({"soket.test", "A"});
  expect_same_as_dig({"soket.test", "AAAA"});
  expect_same_as_dig({"soket.test", "MX"});
  expect_same_as_dig({"soket.test", "NS"});
  expect_same_as_dig({"soket.test", "TXT"});
  expect_same_as_dig({"soket.test", "SOA"});
  expect_same_as_dig({"soket.test", "CAA"});
  expect_same_as_dig({"_sip._tcp.soket.test", "SRV"});
  expect_same_as_dig({"opaque.soket.test", "TYPE4321"});
}

TEST_F(DnsKnotHeavy, CnameChainMatchesDig) {
  expect_same_as_dig({"www.soket.test", "A"});
}

TEST_F(DnsKnotHeavy, ReverseLookup) {
  auto ours = soket({"-x", "192.0.2.1", "--short"});
  EXPECT_EQ(ours.exit_code, 0) << ours.err;
  EXPECT_EQ(ours.out, "soket.test.\n");
}

TEST_F(DnsKnotHeavy, NxdomainHasItsExitCode) {
  auto ours = soket({"nope.soket.test"});
  EXPECT_EQ(ours.exit_code, 11) << ours.err;
  EXPECT_NE(ours.out.find("status: NXDOMAIN"), std::string::npos) << ours.out;
  EXPECT_NE(ours.out.find(";; AUTHORITY SECTION:"), std::string::npos);
}

TEST_F(DnsKnotHeavy, NoErrorWithoutRecordsIsSuccess) {
  auto ours = soket({"mail.soket.test", "MX"});
  EXPECT_EQ(ours.exit_code, 0) << ours.err;
  EXPECT_NE(ours.out.find("status: NOERROR"), std::string::npos);
  EXPECT_NE(ours.out.find("ANSWER: 0"), std::string::npos);
}

TEST_F(DnsKnotHeavy, TruncatedAnswerIsRepeatedOverTcp) {
  auto ours = soket({"big.soket.test", "TXT"});
  EXPECT_EQ(ours.exit_code, 0) << ours.err;
  EXPECT_NE(ours.out.find("Truncated, retrying in TCP mode"), std::string::npos);
  EXPECT_NE(ours.out.find("(TCP)"), std::string::npos);
  expect_same_as_dig({"big.soket.test", "TXT"});
}

TEST_F(DnsKnotHeavy, TcpFromTheStartAndIpv6Server) {
  auto tcp = soket({"soket.test", "--tcp", "--short"});
  EXPECT_EQ(tcp.out, "192.0.2.1\n") << tcp.err;
  auto v6 = run({soket_binary(), "dns", "soket.test", "AAAA", "@::1", "-p",
                 std::to_string(knot_.port()), "--short"});
  EXPECT_EQ(v6.out, "2001:db8::1\n") << v6.err;
}

TEST_F(DnsKnotHeavy, InternationalisedName) {
  auto ours = soket({"b\u00fccher.soket.test", "--short"});
  EXPECT_EQ(ours.out, "192.0.2.99\n") << ours.err;
}

TEST_F(DnsKnotHeavy, FileOfQueriesInInputOrder) {
  const auto path = fs::temp_directory_path() / ("soket-dns-" + std::to_string(::getpid()));
  std::ofstream(path) << "soket.test\nmail.soket.test A\nsoket.test AAAA\nnope.soket.test\n"
                      << "sip.soket.test\n";
  auto ours = soket({"-f", path.string(), "--short", "--concurrency", "3"});
  fs::remove(path);
  EXPECT_EQ(ours.out, "192.0.2.1\n192.0.2.25\n2001:db8::1\n192.0.2.50\n");
  EXPECT_EQ(ours.exit_code, 11);  // One of them was NXDOMAIN.
}

TEST_F(DnsKnotHeavy, JsonParses) {
  auto ours = soket({"soket.test", "MX", "--json"});
  EXPECT_EQ(ours.exit_code, 0);
  auto check = run({"python3", "-c",
                    "import json,sys\nd=json.loads(sys.stdin.read())\n"
                    "print(d['status'], d['answer'][0]['data'])"},
                   ours.out);
  EXPECT_EQ(check.out, "NOERROR 10 mail.soket.test.\n") << check.err << ours.out;
}

TEST_F(DnsKnotHeavy, DigStyleOutput) {
  auto ours = soket({"soket.test"});
  EXPECT_NE(ours.out.find(";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: "),
            std::string::npos);
  EXPECT_NE(ours.out.find(";; flags: qr aa rd;"), std::string::npos) << ours.out;
  EXPECT_NE(ours.out.find("; EDNS: version: 0"), std::string::npos);
  EXPECT_NE(ours.out.find(";soket.test.\t\t\tIN\tA"), std::string::npos);
  EXPECT_NE(ours.out.find("soket.test.\t\t300\tIN\tA\t192.0.2.1"), std::string::npos);
  EXPECT_NE(ours.out.find(";; SERVER: 127.0.0.1#"), std::string::npos);
}

// --- Replies no real server sends, from a responder built for the test. ---

std::uint16_t id_of(std::span<const std::byte> query) {
  return static_cast<std::uint16_t>((std::to_integer<int>(query[0]) << 8) |
                                    std::to_integer<int>(query[1]));
}

// A reply to `query` (its question copied), with `answers` raw bytes after the question.
std::vector<std::byte> reply_to(std::span<const std::byte> query, std::uint16_t ancount,
                                std::vector<std::byte> answers, int id_delta = 0) {
  ByteReader r(query);
  r.skip(12);
  while (true) {  // Past the question's name (no pointers in a query we sent).
    const auto length = r.u8();
    if (!length || *length == 0) break;
    r.skip(*length);
  }
  r.skip(4);
  ByteWriter w;
  w.u16_be(static_cast<std::uint16_t>(id_of(query) + id_delta));
  w.u16_be(0x8180);
  w.u16_be(1);
  w.u16_be(ancount);
  w.u16_be(0);
  w.u16_be(0);
  w.append(query.subspan(12, r.position() - 12));
  w.append(answers);
  return w.take();
}

std::vector<std::byte> a_record(std::initializer_list<int> address, int rdlength = 4) {
  ByteWriter w;
  w.u16_be(0xC00C);
  w.u16_be(1);
  w.u16_be(1);
  w.u32_be(60);
  w.u16_be(static_cast<std::uint16_t>(rdlength));
  for (int b : address) w.u8(static_cast<std::uint8_t>(b));
  return w.take();
}

RunResult ask(const UdpResponder& responder) {
  return run({soket_binary(), "dns", "x.test", "@127.0.0.1", "-p", std::to_string(responder.port()),
              "--short", "--timeout", "1", "--tries", "1"});
}

TEST(DnsMalformed, EachDefectIsAClearErrorWithItsExitCode) {
  struct Case {
    const char* name;
    std::function<std::vector<std::byte>(std::span<const std::byte>)> reply;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"pointer loop",
       [](auto q) {
         ByteWriter w;  // An answer whose name points at itself.
         w.u16_be(static_cast<std::uint16_t>(0xC000 | (q.size() - 11)));
         return reply_to(q, 1, w.take());
       },
       "compression pointer"},
      {"pointer past the end",
       [](auto q) {
         ByteWriter w;
         w.u16_be(0xC000 | 0x3FFF);
         return reply_to(q, 1, w.take());
       },
       "compression pointer"},
      {"label over 63",
       [](auto q) {
         ByteWriter w;
         w.u8(64);
         return reply_to(q, 1, w.take());
       },
       "label of an unknown kind"},
      {"rdlength past the end",
       [](auto q) {
         return reply_to(q, 1, a_record({1, 2, 3, 4}, 99));
       },
       "runs past the end"},
      {"counts larger than the data",
       [](auto q) {
         return reply_to(q, 3, a_record({1, 2, 3, 4}));
       },
       "counts more records"},
      {"SVCB with a port of 3 bytes",
       [](auto q) {
         ByteWriter w;  // Priority 1, target ".", key 3 (port) of length 3.
         for (int b : {0xC0, 0x0C, 0, 64, 0, 1, 0, 0, 0, 60, 0, 10, 0, 1, 0, 0, 3, 0, 3, 1, 2, 3}) {
           w.u8(static_cast<std::uint8_t>(b));
         }
         return reply_to(q, 1, w.take());
       },
       "does not fit its type"},
      {"NSEC bitmap windows out of order",
       [](auto q) {
         ByteWriter w;  // Next name ".", window 1 then window 0.
         for (int b : {0xC0, 0x0C, 0, 47, 0, 1, 0, 0, 0, 60, 0, 7, 0, 1, 1, 0x80, 0, 1, 0x40}) {
           w.u8(static_cast<std::uint8_t>(b));
         }
         return reply_to(q, 1, w.take());
       },
       "does not fit its type"},
  };
  for (const auto& c : cases) {
    UdpResponder responder([&](std::span<const std::byte> q) {
      return std::vector<CannedReply>{{c.reply(q), false}};
    });
    auto result = ask(responder);
    EXPECT_EQ(result.exit_code, 13) << c.name << ": " << result.err;
    EXPECT_NE(result.err.find("malformed reply"), std::string::npos) << c.name;
    EXPECT_NE(result.err.find(c.message), std::string::npos) << c.name << ": " << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  }
}

TEST(DnsMalformed, MismatchedIdAndWrongPortAreIgnored) {
  UdpResponder responder([](std::span<const std::byte> q) {
    return std::vector<CannedReply>{
        {reply_to(q, 1, a_record({6, 6, 6, 6}), 1), false},  // Another ID: spoofed.
        {reply_to(q, 1, a_record({7, 7, 7, 7})), true},      // Right ID, wrong port.
        {reply_to(q, 1, a_record({192, 0, 2, 7})), false},   // The real one.
    };
  });
  auto result = ask(responder);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "192.0.2.7\n");
}

// A datagram too short to be a reply is not one: ignored like a spoofed datagram, so a
// server that sends only that has not answered (tests/hostile/dns_test.cc shows the real
// reply after it is still taken).
TEST(DnsMalformed, ShortDatagramIsIgnoredNotAnAnswer) {
  UdpResponder responder([](std::span<const std::byte> q) {
    return std::vector<CannedReply>{{std::vector<std::byte>(q.begin(), q.begin() + 5), false}};
  });
  auto result = ask(responder);
  EXPECT_EQ(result.exit_code, 8) << result.err;
  EXPECT_NE(result.err.find("no answer"), std::string::npos) << result.err;
}

TEST(DnsMalformed, SilenceIsATimeout) {
  UdpResponder responder([](std::span<const std::byte>) { return std::vector<CannedReply>{}; });
  auto result = ask(responder);
  EXPECT_EQ(result.exit_code, 8) << result.err;
  EXPECT_NE(result.err.find("no answer"), std::string::npos);
}

// A query whose send fails at once (to a broadcast address without SO_BROADCAST: EACCES, and
// nothing leaves the machine) ends at once with its error; it left nothing to wait for.
TEST(DnsMalformed, SendThatFailsAtOnceEndsAtOnce) {
  const auto start = std::chrono::steady_clock::now();
  auto result =
      run({soket_binary(), "dns", "x.test", "@255.255.255.255", "--timeout", "1", "--tries", "1"},
          {}, 90s);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(result.exit_code, 9) << result.err;
  EXPECT_NE(result.err.find("255.255.255.255"), std::string::npos) << result.err;
  EXPECT_LT(took, 10s);  // The baseline waited 60 s here.
}

TEST(DnsUsage, BadNamesAndTypes) {
  EXPECT_EQ(run({soket_binary(), "dns", std::string(64, 'a') + ".test", "@127.0.0.1"}).exit_code,
            2);
  EXPECT_EQ(run({soket_binary(), "dns", "a.test", "BOGUS", "@127.0.0.1"}).exit_code, 2);
  EXPECT_EQ(run({soket_binary(), "dns", "-x", "not-an-ip", "@127.0.0.1"}).exit_code, 2);
}

}  // namespace
}  // namespace soket::test
