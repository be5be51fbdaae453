// The rdata printers against hand-annotated bytes (the presentation forms are dig's, as the
// integration tests check against dig itself), every truncated prefix of each, and the
// generic form's round trip.
#include <gtest/gtest.h>

#include "proto/dns/message.h"
#include "proto/dns/query.h"
#include "proto/dns/rdata.h"
#include "support/byte_literals.h"

namespace soket::proto::dns {
namespace {

using test::bytes;

std::string text_of(std::uint16_t rtype, const std::vector<std::byte>& rdata) {
  auto text = rdata_text(rtype, rdata, 0, rdata.size());
  return text ? *text : "error: " + text.error().message();
}

struct Case {
  const char* name;
  std::uint16_t rtype;
  std::vector<std::byte> rdata;
  const char* text;
};

const Case kCases[] = {
    {"DS", type::ds, bytes({0x30, 0x39, 13, 2, 0xAB, 0xCD}), "12345 13 2 ABCD"},
    {"DNSKEY", type::dnskey, bytes({0x01, 0x01, 3, 13, 1, 2, 3}), "257 3 13 AQID"},
    // RRSIG: A, alg 13, 2 labels, TTL 300, expiration 2026-12-13 14:14:39, inception
    // 2026-11-29 12:44:39, tag 33450, signer "t.", signature 01 02 03.
    {"RRSIG", type::rrsig,
     bytes({0,    1,    13,   2,    0,    0,    1, 0x2C, 0x6B, 0x1E, 0xA8, 0x4F,
            0x6B, 0x0C, 0x1E, 0x37, 0x82, 0xAA, 1, 't',  0,    1,    2,    3}),
     "A 13 2 300 20261213141439 20261129124439 33450 t. AQID"},
    {"NSEC", type::nsec, bytes({1, 'a', 0, 0, 1, 0x62}), "a. A NS SOA"},
    // Window 1, one byte: bit 0 is type 256 (URI).
    {"NSEC window 1", type::nsec, bytes({0, 1, 1, 0x80}), ". URI"},
    {"NSEC3", type::nsec3, bytes({1, 0, 0, 0, 2, 0xFC, 0x9D, 5, 0, 0, 0, 0, 0, 0, 1, 0x40}),
     "1 0 0 FC9D 00000000 A"},
    {"NSEC3PARAM no salt", type::nsec3param, bytes({1, 0, 0, 10, 0}), "1 0 10 -"},
    {"SVCB", type::svcb, bytes({0, 1, 0, 0, 1, 0, 3, 2, 'h', '2', 0, 3, 0, 2, 0x20, 0xFB}),
     "1 . alpn=\"h2\" port=8443"},
    {"HTTPS alias", type::https, bytes({0, 0, 1, 'x', 0}), "0 x."},
    {"TLSA", type::tlsa, bytes({3, 1, 1, 0x01, 0x23}), "3 1 1 0123"},
    {"URI", type::uri, bytes({0, 10, 0, 1, 'h', 't'}), "10 1 \"ht\""},
    {"EUI48", type::eui48, bytes({0, 0, 0x5e, 0, 0x53, 0x2a}), "00-00-5e-00-53-2a"},
    {"WKS", type::wks, bytes({192, 0, 2, 1, 6, 0, 0, 0x40, 0x04}), "192.0.2.1 6 17 29"},
    {"PX", type::px, bytes({0, 10, 1, 'a', 0, 1, 'b', 0}), "10 a. b."},
    {"UID", type::uid, bytes({0, 0, 1, 0}), "256"},
    {"unknown", 4321, bytes({0x0A, 0, 0, 1}), "\\# 4 0A000001"},
    {"unknown empty", 4321, {}, "\\# 0"},
};

TEST(DnsRdata, HandAnnotatedBytes) {
  for (const auto& c : kCases) EXPECT_EQ(text_of(c.rtype, c.rdata), c.text) << c.name;
}

// Every strict prefix of a fixed-layout rdata is an error, never a read past the end.
TEST(DnsRdata, EveryTruncatedPrefixIsAnError) {
  for (const auto& c : kCases) {
    if (c.rtype == 4321 || c.rdata.empty()) continue;
    for (std::size_t size = 0; size < c.rdata.size(); ++size) {
      const std::vector<std::byte> cut(c.rdata.begin(), c.rdata.begin() + size);
      auto text = rdata_text(c.rtype, cut, 0, cut.size());
      // Data of variable length (a key, a digest) may end anywhere after the fixed fields.
      if (text) continue;
      EXPECT_EQ(text.error().category(), error_category()) << c.name << " at " << size;
    }
  }
  EXPECT_FALSE(rdata_text(type::rrsig, bytes({0, 1, 13}), 0, 3));
  EXPECT_FALSE(rdata_text(type::svcb, bytes({0, 1, 0, 0, 3, 0, 3}), 0, 7));  // Port of 3 bytes.
  EXPECT_FALSE(rdata_text(type::nsec, bytes({0, 0, 0}), 0, 3));              // Bitmap of 0 bytes.
}

TEST(DnsRdata, GenericFormRoundTrips) {
  std::vector<std::byte> all;
  for (int i = 0; i < 300; ++i) all.push_back(static_cast<std::byte>(i % 256));
  const std::string text = generic_rdata_text(all);
  EXPECT_EQ(text.substr(0, 7), "\\# 300 ");
  auto back = parse_generic_rdata(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, all);
  EXPECT_FALSE(parse_generic_rdata("\\# 2 ABC"));
  EXPECT_FALSE(parse_generic_rdata("\\# 3 ABCD"));
  EXPECT_FALSE(parse_generic_rdata("\\# 2 AG00"));
  EXPECT_TRUE(parse_generic_rdata("\\# 0"));
}

TEST(DnsRdata, TypeAndClassNames) {
  EXPECT_EQ(type_from_name("dnskey"), type::dnskey);
  EXPECT_EQ(type_from_name("NSEC3PARAM"), type::nsec3param);
  EXPECT_EQ(type_name(type::https), "HTTPS");
  EXPECT_EQ(type_from_name("TYPE65400"), 65400);
  EXPECT_EQ(class_from_name("ch"), kClassCh);
  EXPECT_EQ(class_from_name("CLASS7"), 7);
  EXPECT_FALSE(class_from_name("XX"));
}

TEST(DnsQuery, DnssecOkAndClass) {
  QuerySpec spec{1, "version.bind", type::txt, false, 1232, kClassCh, true};
  auto query = build_query(spec);
  ASSERT_TRUE(query);
  const auto& q = *query;
  // After the header (12) and "version.bind." (14): TXT, CH; then the OPT's TTL flags.
  EXPECT_EQ(std::to_integer<int>(q[12 + 14 + 3]), kClassCh);
  EXPECT_EQ(std::to_integer<int>(q[q.size() - 4]), 0x80);  // DO.
}

}  // namespace
}  // namespace soket::proto::dns
