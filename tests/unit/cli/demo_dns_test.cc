#include "cli/demo_dns.h"

#include <gtest/gtest.h>

namespace soket::cli::demo {
namespace {

proto::dns::Message reply(std::uint16_t rcode, std::vector<std::string> data) {
  proto::dns::Message m;
  m.header.qr = true;
  m.header.rcode = rcode;
  for (auto& d : data) m.answers.push_back({"example.soket.", proto::dns::type::a, 1, 300, d, {}});
  return m;
}

TEST(DemoDnsCheck, TheRightAnswerPasses) {
  EXPECT_EQ(dns_answer_mismatch(reply(0, {"192.0.2.10"}), {"192.0.2.10"}), std::nullopt);
}

TEST(DemoDnsCheck, EveryWrongAnswerFails) {
  auto other = dns_answer_mismatch(reply(0, {"192.0.2.11"}), {"192.0.2.10"});
  ASSERT_TRUE(other.has_value());
  EXPECT_NE(other->find("192.0.2.11"), std::string::npos) << *other;
  EXPECT_TRUE(dns_answer_mismatch(reply(0, {}), {"192.0.2.10"}).has_value());
  EXPECT_TRUE(dns_answer_mismatch(reply(0, {"192.0.2.10", "192.0.2.10"}), {"192.0.2.10"}));
  auto nx = dns_answer_mismatch(reply(3, {"192.0.2.10"}), {"192.0.2.10"});
  ASSERT_TRUE(nx.has_value());
  EXPECT_NE(nx->find("NXDOMAIN"), std::string::npos) << *nx;
}

}  // namespace
}  // namespace soket::cli::demo
