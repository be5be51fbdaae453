// dig's words in soket dns, and resolv.conf as glibc reads it.
#include "cli/dns_words.h"

#include <gtest/gtest.h>

#include "net/resolver.h"
#include "proto/dns/message.h"

namespace soket::cli {
namespace {

TEST(DnsWords, NamesTypesClassesInAnyOrder) {
  DnsWords w;
  ASSERT_FALSE(parse_dns_words({"MX", "a.example", "b.example", "CH", "TXT", "c.example"}, w));
  ASSERT_EQ(w.queries.size(), 3u);
  EXPECT_EQ(w.queries[0].name, "a.example");
  EXPECT_EQ(w.queries[0].qtype, proto::dns::type::mx);
  EXPECT_EQ(w.queries[1].qclass, proto::dns::kClassCh);
  EXPECT_EQ(w.queries[1].qtype, proto::dns::type::txt);
  EXPECT_FALSE(w.queries[2].qtype);
}

TEST(DnsWords, PlusOptions) {
  DnsWords w;
  ASSERT_FALSE(parse_dns_words(
      {"+noall", "+answer", "+norec", "+time=3", "+retry=1", "+vc", "+dnssec", "x.test"}, w));
  EXPECT_FALSE(w.display.cmd || w.display.comments || w.display.question || w.display.stats);
  EXPECT_TRUE(w.display.answer);
  EXPECT_EQ(w.recurse, false);
  EXPECT_EQ(w.time, 3);
  EXPECT_EQ(w.tries, 2);
  EXPECT_EQ(w.tcp, true);
  EXPECT_EQ(w.dnssec, true);
  DnsWords bad;
  EXPECT_NE(parse_dns_words({"+frob"}, bad)->find("'+frob'"), std::string::npos);
  EXPECT_TRUE(parse_dns_words({"+a"}, bad));             // Ambiguous: +all, +answer...
  EXPECT_TRUE(parse_dns_words({"+time=0"}, bad));        // Below 1.
  EXPECT_TRUE(parse_dns_words({"+short=1"}, bad));       // Takes no value.
  EXPECT_TRUE(parse_dns_words({"x.test", "MXX"}, bad));  // A typo, not a second name.
}

TEST(DnsWords, Servers) {
  struct Case {
    const char* word;
    const char* host;
    int port;  // -1: none.
  };
  for (const Case& c :
       {Case{"127.0.0.1", "127.0.0.1", -1}, Case{"ns.test:5353", "ns.test", 5353},
        Case{"::1", "::1", -1}, Case{"[::1]:53", "::1", 53}, Case{"[fe80::1]", "fe80::1", -1}}) {
    std::string host;
    std::optional<std::uint16_t> port;
    EXPECT_FALSE(parse_server_word(c.word, host, port)) << c.word;
    EXPECT_EQ(host, c.host);
    EXPECT_EQ(port ? *port : -1, c.port) << c.word;
  }
  for (const char* bad : {"[::1", "[::1]x", "h:99999", "h:", ":53"}) {
    std::string host;
    std::optional<std::uint16_t> port;
    EXPECT_TRUE(parse_server_word(bad, host, port)) << bad;
  }
}

TEST(ResolvConf, AsGlibcReadsIt) {
  auto conf = net::parse_resolv_conf(
      "# comment\nsearch example\nnameserver 192.0.2.1 ; trailing\nnameserver ::1\n"
      "options ndots:2 timeout:2\nnameserver 192.0.2.3\nnameserver 192.0.2.4\n"
      "options attempts:9 timeout:99\n");
  EXPECT_EQ(conf.nameservers, (std::vector<std::string>{"192.0.2.1", "::1", "192.0.2.3"}));
  EXPECT_EQ(conf.timeout_seconds, 30);  // Capped as glibc caps it.
  EXPECT_EQ(conf.attempts, 5);
  auto plain = net::parse_resolv_conf("nameserver 10.0.0.1\noptions attempts:0\n");
  EXPECT_FALSE(plain.timeout_seconds);
  EXPECT_EQ(plain.attempts, 1);
}

}  // namespace
}  // namespace soket::cli
