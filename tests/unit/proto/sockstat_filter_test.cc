// ss's filter language as soket understands it: states, ports, addresses, and/or/not.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <cstring>
#include <string>
#include <vector>

#include "proto/sockstat/filter.h"
#include "proto/sockstat/inet_diag.h"

namespace soket::proto::sockstat {
namespace {

Endpoint end(const char* address, std::uint16_t port) {
  Endpoint e;
  unsigned char bytes[16] = {};
  if (::inet_pton(AF_INET, address, bytes) == 1) {
    e.family = AF_INET;
  } else {
    EXPECT_EQ(::inet_pton(AF_INET6, address, bytes), 1) << address;
    e.family = AF_INET6;
  }
  std::memcpy(e.address.data(), bytes, 16);
  e.port = port;
  return e;
}

Filter parse(std::vector<std::string> words) {
  std::string error;
  auto filter = Filter::parse(words, error);
  EXPECT_TRUE(filter) << error;
  return filter.value_or(Filter{});
}

std::string error_of(std::vector<std::string> words) {
  std::string error;
  EXPECT_FALSE(Filter::parse(words, error)) << words.front();
  return error;
}

TEST(SockstatFilter, StatesAndGroups) {
  EXPECT_EQ(parse({"state", "established"}).states(), state_bit(kEstablished));
  EXPECT_EQ(parse({"state", "listening", "state", "time-wait"}).states(),
            state_bit(kListen) | state_bit(kTimeWait));
  EXPECT_EQ(parse({"state", "all"}).states(), kAllStates);
  EXPECT_EQ(parse({"exclude", "listening"}).states(), kAllStates & ~state_bit(kListen));
  const auto connected = *parse({"state", "connected"}).states();
  EXPECT_TRUE(connected & state_bit(kEstablished));
  EXPECT_TRUE(connected & state_bit(kSynSent));
  EXPECT_TRUE(connected & state_bit(kTimeWait));
  EXPECT_FALSE(connected & state_bit(kListen));
  EXPECT_FALSE(connected & state_bit(kClose));
  const auto synchronized = *parse({"state", "synchronized"}).states();
  EXPECT_EQ(synchronized, connected & ~state_bit(kSynSent));
  EXPECT_EQ(parse({"state", "bucket"}).states(), state_bit(kSynRecv) | state_bit(kTimeWait));
  EXPECT_EQ(parse({"state", "big"}).states(),
            kAllStates & ~(state_bit(kSynRecv) | state_bit(kTimeWait)));
  EXPECT_EQ(parse({"state", "ESTAB"}).states(), state_bit(kEstablished));
  EXPECT_FALSE(parse({"sport", "=", ":1"}).states());
  EXPECT_FALSE(parse({}).has_expression());
}

TEST(SockstatFilter, PortOperators) {
  const auto a = end("127.0.0.1", 8080), b = end("127.0.0.1", 443);
  EXPECT_TRUE(parse({"sport", "=", ":8080"}).matches(a, b));
  EXPECT_TRUE(parse({"sport", ":8080"}).matches(a, b));
  EXPECT_TRUE(parse({"sport", "==", "8080"}).matches(a, b));
  EXPECT_FALSE(parse({"sport", "=", ":8081"}).matches(a, b));
  EXPECT_TRUE(parse({"dport", "eq", ":443"}).matches(a, b));
  EXPECT_FALSE(parse({"dport", "!=", ":443"}).matches(a, b));
  EXPECT_TRUE(parse({"sport", "ge", ":1024"}).matches(a, b));
  EXPECT_FALSE(parse({"dport", "ge", ":1024"}).matches(a, b));
  EXPECT_TRUE(parse({"dport", "<", ":444"}).matches(a, b));
  EXPECT_FALSE(parse({"dport", "lt", ":443"}).matches(a, b));
  EXPECT_TRUE(parse({"dport", "le", ":443"}).matches(a, b));
  EXPECT_TRUE(parse({"sport", ">", ":8079"}).matches(a, b));
  EXPECT_FALSE(parse({"sport", "gt", ":8080"}).matches(a, b));
}

TEST(SockstatFilter, BooleansAndParentheses) {
  const auto a = end("127.0.0.1", 8080), b = end("127.0.0.1", 443);
  EXPECT_TRUE(parse({"( sport = :1 or sport = :8080 )"}).matches(a, b));
  EXPECT_TRUE(parse({"(", "sport", "=", ":1", "or", "sport", "=", ":8080", ")"}).matches(a, b));
  EXPECT_FALSE(parse({"sport = :8080 and dport = :1"}).matches(a, b));
  EXPECT_FALSE(parse({"sport = :8080 dport = :1"}).matches(a, b));  // Juxtaposition: and.
  EXPECT_TRUE(parse({"sport = :8080 && dport = :443"}).matches(a, b));
  EXPECT_TRUE(parse({"not sport = :1"}).matches(a, b));
  EXPECT_FALSE(parse({"!", "(sport = :8080)"}).matches(a, b));
  // "and" binds tighter than "or".
  EXPECT_TRUE(parse({"sport = :1 and dport = :1 or sport = :8080"}).matches(a, b));
  EXPECT_FALSE(parse({"sport = :1 and ( dport = :1 or sport = :8080 )"}).matches(a, b));
  const auto both = parse({"state", "established", "( dport = :443 or sport = :443 )"});
  EXPECT_EQ(both.states(), state_bit(kEstablished));
  EXPECT_TRUE(both.matches(a, b));
  EXPECT_TRUE(both.has_expression());
}

TEST(SockstatFilter, Addresses) {
  const auto v4 = end("127.0.0.1", 80), v4peer = end("10.1.2.3", 5000);
  const auto v6 = end("::1", 443), v6peer = end("fe80::1", 6000);
  EXPECT_TRUE(parse({"src", "127.0.0.1"}).matches(v4, v4peer));
  EXPECT_TRUE(parse({"src", "127.0.0.1:80"}).matches(v4, v4peer));
  EXPECT_FALSE(parse({"src", "127.0.0.1:81"}).matches(v4, v4peer));
  EXPECT_TRUE(parse({"src", "=", "127.0.0.0/8"}).matches(v4, v4peer));
  EXPECT_TRUE(parse({"dst", "10.0.0.0/8:5000"}).matches(v4, v4peer));
  EXPECT_FALSE(parse({"dst", "10.0.0.0/16"}).matches(v4, v4peer));
  EXPECT_TRUE(parse({"dst", "!=", "10.0.0.0/16"}).matches(v4, v4peer));
  EXPECT_TRUE(parse({"src", "*:80"}).matches(v4, v4peer));
  EXPECT_TRUE(parse({"src", ":80"}).matches(v4, v4peer));
  EXPECT_FALSE(parse({"src", "::1"}).matches(v4, v4peer));  // Families differ.
  EXPECT_TRUE(parse({"src", "[::1]"}).matches(v6, v6peer));
  EXPECT_TRUE(parse({"src", "[::1]:443"}).matches(v6, v6peer));
  EXPECT_TRUE(parse({"src", "::1"}).matches(v6, v6peer));
  EXPECT_TRUE(parse({"dst", "fe80::/10"}).matches(v6, v6peer));
  EXPECT_TRUE(parse({"dst", "[fe80::/64]:6000"}).matches(v6, v6peer));
  EXPECT_FALSE(parse({"dst", "[::1]"}).matches(v6, v6peer));
}

TEST(SockstatFilter, UnsupportedExpressionsNameTheirWord) {
  EXPECT_NE(error_of({"state", "sleeping"}).find("'sleeping'"), std::string::npos);
  EXPECT_NE(error_of({"state"}).find("state name"), std::string::npos);
  EXPECT_NE(error_of({"sport", "=", ":http"}).find("':http'"), std::string::npos);
  EXPECT_NE(error_of({"sport", "=", ":65536"}).find("':65536'"), std::string::npos);
  EXPECT_NE(error_of({"dev", "=", "lo"}).find("'dev'"), std::string::npos);
  EXPECT_NE(error_of({"src", "localhost"}).find("'localhost'"), std::string::npos);
  EXPECT_NE(error_of({"src", ">", "127.0.0.1"}).find("only = or !="), std::string::npos);
  EXPECT_NE(error_of({"src", "127.0.0.1/33"}).find("'127.0.0.1/33'"), std::string::npos);
  EXPECT_NE(error_of({"( sport = :1"}).find("')'"), std::string::npos);
  EXPECT_NE(error_of({"sport = :1 )"}).find("')'"), std::string::npos);
  EXPECT_NE(error_of({"sport"}).find("needs a value"), std::string::npos);
  EXPECT_NE(error_of({"sport = :1 or"}).find("ends"), std::string::npos);
  EXPECT_NE(error_of({"sport = :1", "state", "listening"}).find("'state'"), std::string::npos);
}

TEST(SockstatFilter, LimitsHoldForHostileLengths) {
  std::vector<std::string> deep(200, "(");
  EXPECT_NE(error_of({deep.begin(), deep.end()}).find("deeply"), std::string::npos);
  std::vector<std::string> nots(300, "not");
  nots.push_back("sport = :1");
  EXPECT_NE(error_of(nots).find("deeply"), std::string::npos);
  std::vector<std::string> many;
  for (int i = 0; i < 200; ++i) many.push_back("sport = :1 or");
  many.push_back("sport = :1");
  EXPECT_NE(error_of(many).find("words"), std::string::npos);
}

}  // namespace
}  // namespace soket::proto::sockstat
