#include "net/address.h"

#include <gtest/gtest.h>
#include <netdb.h>

#include "net/resolver.h"

namespace soket::net {
namespace {

TEST(Address, ParsesAndPrintsIpv4) {
  auto address = Address::parse("127.0.0.1", 8080);
  ASSERT_TRUE(address.ok());
  EXPECT_EQ(address->family(), AF_INET);
  EXPECT_EQ(address->port(), 8080);
  EXPECT_EQ(address->to_string(), "127.0.0.1:8080");
}

TEST(Address, ParsesAndPrintsIpv6WithBrackets) {
  for (const char* text : {"::1", "[::1]"}) {
    auto address = Address::parse(text, 443);
    ASSERT_TRUE(address.ok()) << text;
    EXPECT_TRUE(address->is_v6());
    EXPECT_EQ(address->to_string(), "[::1]:443");
  }
  EXPECT_EQ(Address::parse("2001:db8::1", 53)->to_string(), "[2001:db8::1]:53");
}

TEST(Address, RejectsNames) {
  for (const char* text : {"localhost", "", "1.2.3", "::g", "[::1", "256.0.0.1"}) {
    EXPECT_FALSE(Address::parse(text, 1).ok()) << text;
  }
}

TEST(Address, ComparesAndHashesByValue) {
  auto a = Address::parse("10.0.0.1", 1).value();
  auto b = Address::parse("10.0.0.1", 1).value();
  auto c = Address::parse("10.0.0.1", 2).value();
  EXPECT_EQ(a, b);
  EXPECT_FALSE(a == c);
  EXPECT_EQ(AddressHash{}(a), AddressHash{}(b));
}

TEST(ParsePort, AcceptsTheWholeRange) {
  EXPECT_EQ(*parse_port("0"), 0);
  EXPECT_EQ(*parse_port("65535"), 65535);
}

TEST(ParsePort, TellsOutOfRangeFromNotANumber) {
  for (const char* text : {"65536", "70000", "99999999999999999999"}) {
    EXPECT_EQ(parse_port(text).error(), std::errc::result_out_of_range) << text;
  }
  for (const char* text : {"", "http", "80x", "-1", " 80"}) {
    EXPECT_EQ(parse_port(text).error(), std::errc::invalid_argument) << text;
  }
}

TEST(Resolver, NumericHostsNeedNoLookup) {
  auto addresses = resolve("::1", 7, Transport::tcp);
  ASSERT_TRUE(addresses.ok());
  ASSERT_EQ(addresses->size(), 1u);
  EXPECT_EQ(addresses->front().to_string(), "[::1]:7");
}

// RFC 6761: answered without /etc/hosts or a DNS server, so it holds in a bare chroot too.
TEST(Resolver, LocalhostIsLoopbackWithoutALookup) {
  for (const char* name : {"localhost", "LocalHost.", "demo.localhost"}) {
    auto addresses = resolve(name, 9, Transport::udp);
    ASSERT_TRUE(addresses.ok()) << name;
    ASSERT_EQ(addresses->size(), 2u) << name;
    EXPECT_EQ(addresses->at(0).to_string(), "127.0.0.1:9");
    EXPECT_EQ(addresses->at(1).to_string(), "[::1]:9");
  }
  auto bind = resolve_bind("localhost", 7, Transport::tcp);
  ASSERT_TRUE(bind.ok());
  EXPECT_EQ(bind->front().to_string(), "127.0.0.1:7");
}

TEST(Resolver, HostNotFoundIsRecognised) {
  EXPECT_TRUE(is_host_not_found(std::error_code(EAI_NONAME, resolver_category())));
  EXPECT_FALSE(is_host_not_found(std::make_error_code(std::errc::connection_refused)));
  EXPECT_FALSE(resolver_category().message(EAI_NONAME).empty());
}

}  // namespace
}  // namespace soket::net
