// dig's habits in soket dns, each against Knot with dig on the same server as the oracle:
// every type dig prints (a signed zone: DNSKEY, RRSIG, NSEC, NSEC3...), dig's spellings
// (+short, +noall +answer, +norecurse, -t, -q, a class word, @HOST:PORT, several queries on
// one line), and the failures a dig user expects: a closed port refused at once, a bad line
// of -f reported in its place, resolv.conf's servers tried in order with its options.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "integration/dns_knot.h"
#include "net/socket_ops.h"
#include "support/child_process.h"

namespace soket::test {
namespace {

using Clock = std::chrono::steady_clock;

std::string line_with(const std::string& text, const std::string& needle) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.find(needle) != std::string::npos) return line;
  }
  return {};
}

// A UDP socket bound on `host`:`port` that never reads: a server that stays silent (the
// kernel queues the queries, so no ICMP error comes back either).
net::Fd silent_server(const char* host, int port) {
  auto address = net::Address::parse(host, static_cast<std::uint16_t>(port)).value();
  return std::move(net::open_bound_datagram(address, {}).value());
}

// A UDP port on 127.0.0.1 that nobody listens on: bound, then closed.
int closed_port() {
  auto fd = net::open_bound_datagram(net::Address::parse("127.0.0.1", 0).value(), {});
  return net::local_address(fd->get())->port();
}

class DnsHabitsHeavy : public testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(knot_.ready()) << knot_.err(); }
  std::string port() const { return std::to_string(knot_.port()); }

  // The same words to both; the server and a 2 s timeout added to each in its own spelling.
  RunResult soket(std::vector<std::string> words) {
    words.insert(words.begin(), {soket_binary(), "dns", "@127.0.0.1", "-p", port(), "+time=2"});
    return run(words);
  }
  RunResult dig(std::vector<std::string> words) {
    words.insert(words.begin(), {"dig", "@127.0.0.1", "-p", port(), "+time=2", "+tries=1"});
    return run(words);
  }
  void expect_same(const std::vector<std::string>& words) {
    auto ours = soket(words), theirs = dig(words);
    ASSERT_EQ(theirs.exit_code, 0) << theirs.err;
    EXPECT_EQ(ours.exit_code, 0) << ours.err;
    EXPECT_FALSE(theirs.out.empty());
    EXPECT_EQ(lines_of(ours.out), lines_of(theirs.out)) << words[0] << " " << words[1];
  }

  Knot knot_;
};

// Whole lines (owner, TTL, class, type, data in dig's columns), RRSIGs included.
TEST_F(DnsHabitsHeavy, EveryTypePrintedAsDigPrintsIt) {
  for (const char* rtype :
       {"SOA",   "NS",   "DNSKEY",   "CDNSKEY", "CDS",        "SSHFP",    "NAPTR", "URI",   "HTTPS",
        "HINFO", "RP",   "AFSDB",    "LOC",     "OPENPGPKEY", "CAA",      "EUI48", "EUI64", "SPF",
        "KX",    "CERT", "DHCID",    "SMIMEA",  "MINFO",      "CSYNC",    "L32",   "L64",   "NID",
        "LP",    "APL",  "IPSECKEY", "TXT",     "RT",         "TYPE65400"}) {
    expect_same({"types.test", rtype, "+noall", "+answer", "+dnssec"});
  }
  expect_same({"child.types.test", "DS", "+noall", "+answer", "+dnssec"});
  expect_same({"_443._tcp.types.test", "TLSA", "+noall", "+answer", "+dnssec"});
  expect_same({"svc.types.test", "SVCB", "+noall", "+answer", "+dnssec"});
  expect_same({"svc2.types.test", "SVCB", "+noall", "+answer", "+dnssec"});
  expect_same({"dn.types.test", "DNAME", "+noall", "+answer", "+dnssec"});
  expect_same({"long.types.test", "TYPE65401", "+noall", "+answer"});  // \# split as dig does.
  expect_same({"nsec3.test", "NSEC3PARAM", "+noall", "+answer", "+dnssec"});
}

// The proofs of non-existence: NSEC (types.test.) and NSEC3 (nsec3.test.), with signatures.
TEST_F(DnsHabitsHeavy, DenialOfExistenceAsDig) {
  for (const char* name : {"nope.types.test", "nope.nsec3.test"}) {
    auto ours = soket({name, "+noall", "+authority", "+dnssec"});
    auto theirs = dig({name, "+noall", "+authority", "+dnssec"});
    EXPECT_EQ(ours.exit_code, 11) << ours.err;
    EXPECT_EQ(lines_of(ours.out), lines_of(theirs.out));
    EXPECT_NE(ours.out.find(std::string(name) == "nope.types.test" ? "\tNSEC\t" : " NSEC3 "),
              std::string::npos)
        << ours.out;
  }
}

TEST_F(DnsHabitsHeavy, DnssecSetsTheDoBit) {
  auto with = soket({"types.test", "A", "+dnssec"});
  EXPECT_NE(with.out.find("; EDNS: version: 0, flags: do;"), std::string::npos) << with.out;
  EXPECT_NE(with.out.find("\tRRSIG\tA 13 2 300 "), std::string::npos) << with.out;
  auto without = soket({"types.test", "A"});
  EXPECT_EQ(without.out.find("RRSIG"), std::string::npos) << without.out;
}

TEST_F(DnsHabitsHeavy, DigSpellingsGiveDigsAnswers) {
  expect_same({"soket.test", "MX", "+short"});
  expect_same({"soket.test", "+noall", "+answer"});
  expect_same({"soket.test", "TXT", "+nocmd", "+nostats", "+nocomments"});
  expect_same({"soket.test", "+nocmd", "+nostats", "+nocomments", "+noquestion"});
  expect_same({"soket.test", "NS", "+nocmd", "+nostats", "+nocomments", "+noadditional"});
  expect_same({"mail.soket.test", "MX", "+nocmd", "+nostats", "+nocomments", "+noauthority"});
  expect_same({"-t", "MX", "-q", "soket.test", "+short"});
  expect_same({"version.bind", "CH", "TXT", "+short"});
  expect_same({"CH", "version.bind", "TXT", "+short"});
  // +norecurse: the header's flags line, word for word (no rd).
  auto ours = soket({"soket.test", "+norecurse"}), theirs = dig({"soket.test", "+norecurse"});
  EXPECT_EQ(line_with(ours.out, ";; flags:"), line_with(theirs.out, ";; flags:")) << ours.out;
  EXPECT_EQ(line_with(ours.out, ";; flags:").find(" rd"), std::string::npos);
  auto tcp = soket({"soket.test", "+tcp"});
  EXPECT_NE(tcp.out.find("(TCP)"), std::string::npos) << tcp.out;
}

// dig takes options before the first name as global; soket's are always global.
TEST_F(DnsHabitsHeavy, SeveralQueriesOnOneLine) {
  auto ours = run({soket_binary(), "dns", "soket.test", "A", "mail.soket.test", "@127.0.0.1",
                   "soket.test", "MX", "-p", port(), "+short"});
  auto theirs = run({"dig", "+short", "@127.0.0.1", "-p", port(), "soket.test", "A",
                     "mail.soket.test", "soket.test", "MX"});
  EXPECT_EQ(ours.exit_code, 0) << ours.err;
  EXPECT_EQ(ours.out, theirs.out);
  EXPECT_EQ(ours.out, "192.0.2.1\n192.0.2.25\n10 mail.soket.test.\n");
}

TEST_F(DnsHabitsHeavy, ServerWithItsPort) {
  auto v4 = run({soket_binary(), "dns", "soket.test", "@127.0.0.1:" + port(), "+short"});
  EXPECT_EQ(v4.out, "192.0.2.1\n") << v4.err;
  auto v6 = run({soket_binary(), "dns", "soket.test", "AAAA", "@[::1]:" + port(), "+short"});
  EXPECT_EQ(v6.out, "2001:db8::1\n") << v6.err;
  auto bad = run({soket_binary(), "dns", "soket.test", "@[::1]:99999"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
}

TEST_F(DnsHabitsHeavy, BadLineOfFileIsReportedAndTheRestGoesOn) {
  const auto path = fs::temp_directory_path() / ("soket-dns-f-" + std::to_string(::getpid()));
  // Lines 3 and 4 are refused whole: neither the name before the bad word nor a good query
  // with an +option in the file is asked.
  std::ofstream(path) << "soket.test\nbad..name.test\nsoket.test A XX\nmail.soket.test A +tcp\n"
                      << "mail.soket.test A\n";
  auto ours =
      run({soket_binary(), "dns", "@127.0.0.1", "-p", port(), "-f", path.string(), "+short"});
  fs::remove(path);
  EXPECT_EQ(ours.out, "192.0.2.1\n192.0.2.25\n");
  EXPECT_EQ(ours.exit_code, 2);
  EXPECT_EQ(std::count(ours.err.begin(), ours.err.end(), '\n'), 3) << ours.err;
  EXPECT_NE(ours.err.find(path.string() + ":2: 'bad..name.test'"), std::string::npos) << ours.err;
  EXPECT_NE(ours.err.find(path.string() + ":3: "), std::string::npos) << ours.err;
  EXPECT_NE(ours.err.find(path.string() + ":4: "), std::string::npos) << ours.err;
}

// resolv.conf names three servers: the first refuses (nobody on its port), the second stays
// silent (one 1 s try, from `options timeout:1 attempts:1`), the third (Knot) answers.
TEST_F(DnsHabitsHeavy, ResolvConfServersInOrder) {
  const auto conf = fs::temp_directory_path() / ("soket-resolv-" + std::to_string(::getpid()));
  std::ofstream(conf) << "# test\nnameserver 127.0.0.2\nnameserver 127.0.0.3\n"
                      << "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n";
  auto silent = silent_server("127.0.0.3", knot_.port());
  const auto start = Clock::now();
  auto ours = run({soket_binary(), "dns", "soket.test", "-p", port(), "+short"}, {}, 30s,
                  {"SOKET_RESOLV_CONF=" + conf.string()});
  const auto took = Clock::now() - start;
  fs::remove(conf);
  EXPECT_EQ(ours.exit_code, 0) << ours.err;
  EXPECT_EQ(ours.out, "192.0.2.1\n");
  EXPECT_GE(took, 1s);   // The silent one had its try.
  EXPECT_LT(took, 10s);  // And only one (the refusing one cost nothing).
}

}  // namespace

// Nobody on the port: the connected UDP socket hears ICMP port-unreachable as a refusal.
TEST(DnsFailures, ClosedPortIsRefusedAtOnce) {
  const int port = closed_port();
  const auto start = Clock::now();
  auto ours = run(
      {soket_binary(), "dns", "x.test", "@127.0.0.1:" + std::to_string(port), "--timeout", "30"});
  EXPECT_LT(Clock::now() - start, 10s);  // At once, next to the 30 s timeout (ASan, load).
  EXPECT_EQ(ours.exit_code, 7) << ours.err;
  EXPECT_NE(ours.err.find("connection refused by 127.0.0.1:" + std::to_string(port)),
            std::string::npos)
      << ours.err;
}

// Two silent servers, `options timeout:1 attempts:2`: four tries of 1 s, and the message says
// so with the time actually waited.
TEST(DnsFailures, ResolvConfTimeoutAndAttemptsAreHonoured) {
  const int port = closed_port();
  auto first = silent_server("127.0.0.3", port), second = silent_server("127.0.0.4", port);
  const auto conf = fs::temp_directory_path() / ("soket-resolv2-" + std::to_string(::getpid()));
  std::ofstream(conf) << "nameserver 127.0.0.3\nnameserver 127.0.0.4\n"
                      << "options timeout:1 attempts:2\n";
  const auto start = Clock::now();
  auto ours = run({soket_binary(), "dns", "x.test", "-p", std::to_string(port)}, {}, 60s,
                  {"SOKET_RESOLV_CONF=" + conf.string()});
  const auto took = Clock::now() - start;
  fs::remove(conf);
  EXPECT_EQ(ours.exit_code, 8) << ours.err;
  EXPECT_GE(took, 4s);
  EXPECT_LT(took, 30s);
  for (const char* part : {"127.0.0.3", "127.0.0.4", "within 1 s a try (4 tries, "}) {
    EXPECT_NE(ours.err.find(part), std::string::npos) << ours.err;
  }
}

TEST(DnsUsage, UnknownPlusOptionIsNamed) {
  auto ours = run({soket_binary(), "dns", "x.test", "+frobnicate", "@127.0.0.1"});
  EXPECT_EQ(ours.exit_code, 2);
  EXPECT_NE(ours.err.find("unknown dig option '+frobnicate'"), std::string::npos) << ours.err;
  EXPECT_EQ(std::count(ours.err.begin(), ours.err.end(), '\n'), 1) << ours.err;
  auto typo = run({soket_binary(), "dns", "x.test", "MXX", "@127.0.0.1"});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("'MXX' is neither a record type"), std::string::npos) << typo.err;
}

}  // namespace soket::test
