#include <gtest/gtest.h>

#include <memory>

#include "core/byte_writer.h"
#include "proto/dns/names.h"
#include "proto/dns/parser.h"
#include "proto/dns/query.h"
#include "proto/dns/tcp_framer.h"
#include "support/byte_literals.h"

namespace soket::proto::dns {
namespace {

using test::bytes;

TEST(DnsQuery, HandAnnotatedBytes) {
  auto query = build_query({0xBEEF, "a.bc", type::mx, true, 1232});
  ASSERT_TRUE(query.ok());
  const auto expected = bytes({
      0xBE, 0xEF,                          // ID
      0x01, 0x00,                          // RD
      0x00, 0x01,                          // QDCOUNT 1
      0x00, 0x00, 0x00, 0x00,              // ANCOUNT, NSCOUNT
      0x00, 0x01,                          // ARCOUNT 1: OPT
      0x01, 'a',  0x02, 'b',  'c',  0x00,  // a.bc.
      0x00, 0x0F, 0x00, 0x01,              // MX IN
      0x00, 0x00, 0x29, 0x04, 0xD0,        // root, OPT, udp 1232
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // ext rcode, version, flags, rdlength
  });
  EXPECT_EQ(*query, expected);
  auto tcp = build_tcp_query({0xBEEF, "a.bc", type::mx, true, 1232});
  ASSERT_TRUE(tcp.ok());
  EXPECT_EQ(std::to_integer<int>((*tcp)[1]), static_cast<int>(expected.size()));
}

TEST(DnsQuery, NamesAreValidated) {
  EXPECT_EQ(build_query({1, std::string(64, 'a') + ".com"}).error(), errc::label_too_long);
  EXPECT_EQ(build_query({1, "a..com"}).error(), errc::empty_label);
  EXPECT_EQ(build_query({1, "a.com.."}).error(), errc::empty_label);  // Found by dns_query_fuzz.
  EXPECT_EQ(build_query({1, ".."}).error(), errc::empty_label);
  EXPECT_EQ(build_query({1, ".com"}).error(), errc::empty_label);
  std::string long_name;
  for (int i = 0; i < 5; ++i) long_name += std::string(60, 'x') + ".";
  EXPECT_EQ(build_query({1, long_name}).error(), errc::name_too_long);
  EXPECT_TRUE(build_query({1, "."}).ok());
  EXPECT_TRUE(build_query({1, std::string(63, 'a') + ".com."}).ok());
}

TEST(DnsQuery, ReverseNames) {
  EXPECT_EQ(reverse_name("192.0.2.1"), "1.2.0.192.in-addr.arpa.");
  EXPECT_EQ(reverse_name("2001:db8::1"),
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.");
  EXPECT_FALSE(reverse_name("example.com").has_value());
}

TEST(DnsParse, QueryRoundTrip) {
  auto query = build_query({42, "Example.COM", type::aaaa, false, 1232});
  auto parsed = parse_message(*query);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(parsed->header.id, 42);
  EXPECT_FALSE(parsed->header.rd);
  ASSERT_EQ(parsed->questions.size(), 1u);
  EXPECT_EQ(parsed->questions[0].name, "Example.COM.");
  EXPECT_EQ(parsed->questions[0].qtype, type::aaaa);
  ASSERT_TRUE(parsed->edns.has_value());
  EXPECT_EQ(parsed->edns->udp_size, 1232);
  EXPECT_TRUE(same_name("example.com", "EXAMPLE.com."));
}

// A test-side builder of replies, independent of the code under test.
class Reply {
 public:
  explicit Reply(std::uint16_t ancount, int rcode = 0) {
    w_.u16_be(7);
    w_.u16_be(static_cast<std::uint16_t>(0x8180 | rcode));  // QR RD RA
    w_.u16_be(1);
    w_.u16_be(ancount);
    w_.u16_be(0);
    w_.u16_be(0);
    question_at_ = w_.size();
    label("example");
    label("com");
    w_.u8(0);
    w_.u16_be(1);
    w_.u16_be(1);
  }
  void label(std::string_view text) {
    w_.u8(static_cast<std::uint8_t>(text.size()));
    w_.append(std::as_bytes(std::span(text.data(), text.size())));
  }
  // A record owned by the question's name (a pointer to it), with raw rdata.
  void record(std::uint16_t rtype, std::vector<std::byte> rdata, int rdlength = -1) {
    w_.u16_be(static_cast<std::uint16_t>(0xC000 | question_at_));
    w_.u16_be(rtype);
    w_.u16_be(1);
    w_.u32_be(300);
    w_.u16_be(static_cast<std::uint16_t>(rdlength < 0 ? rdata.size()
                                                      : static_cast<std::size_t>(rdlength)));
    w_.append(rdata);
  }
  ByteWriter& writer() { return w_; }
  std::vector<std::byte> take() { return w_.take(); }
  std::size_t question_at() const { return question_at_; }

 private:
  ByteWriter w_;
  std::size_t question_at_ = 0;
};

Result<Message> parse_exact(const std::vector<std::byte>& wire) {
  auto copy = std::make_unique<std::byte[]>(wire.size());  // Exact size: ASan sees overreads.
  std::copy(wire.begin(), wire.end(), copy.get());
  return parse_message({copy.get(), wire.size()});
}

TEST(DnsParse, RecordsOfEveryKind) {
  Reply r(8);
  r.record(type::a, bytes({192, 0, 2, 1}));
  r.record(type::aaaa, bytes({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}));
  r.record(type::mx, bytes({0, 10, 0xC0, static_cast<int>(r.question_at())}));
  r.record(type::txt, bytes({2, 'h', 'i', 3, 'a', '"', 'b'}));
  r.record(type::caa, bytes({0, 5, 'i', 's', 's', 'u', 'e', 'c', 'a', '.', 'n'}));
  r.record(type::srv, bytes({0, 10, 0, 60, 0x13, 0xC4, 0xC0, static_cast<int>(r.question_at())}));
  r.record(4321, bytes({0x0A, 0, 0, 1}));
  r.record(type::cname, bytes({3, 'w', 'w', 'w', 0xC0, static_cast<int>(r.question_at())}));
  auto m = parse_exact(r.take());
  ASSERT_TRUE(m.ok()) << m.error().message();
  ASSERT_EQ(m->answers.size(), 8u);
  EXPECT_EQ(m->answers[0].name, "example.com.");
  EXPECT_EQ(m->answers[0].data, "192.0.2.1");
  EXPECT_EQ(m->answers[1].data, "2001:db8::1");
  EXPECT_EQ(m->answers[2].data, "10 example.com.");
  EXPECT_EQ(m->answers[3].data, "\"hi\" \"a\\\"b\"");
  EXPECT_EQ(m->answers[4].data, "0 issue \"ca.n\"");
  EXPECT_EQ(m->answers[5].data, "10 60 5060 example.com.");
  EXPECT_EQ(m->answers[6].data, "\\# 4 0A000001");
  EXPECT_EQ(m->answers[7].data, "www.example.com.");
  EXPECT_EQ(type_name(4321), "TYPE4321");
  EXPECT_EQ(type_from_name("type65"), 65);
  EXPECT_EQ(type_from_name("mx"), type::mx);
  EXPECT_FALSE(type_from_name("BOGUS").has_value());
}

TEST(DnsParse, EveryTruncatedPrefixIsAnError) {
  Reply r(2);
  r.record(type::a, bytes({192, 0, 2, 1}));
  r.record(type::mx, bytes({0, 10, 0xC0, static_cast<int>(r.question_at())}));
  const auto whole = r.take();
  ASSERT_TRUE(parse_exact(whole).ok());
  for (std::size_t length = 0; length < whole.size(); ++length) {
    const std::vector<std::byte> prefix(whole.begin(),
                                        whole.begin() + static_cast<std::ptrdiff_t>(length));
    EXPECT_FALSE(parse_exact(prefix).ok()) << length;
  }
}

struct Malformed {
  const char* name;
  std::vector<std::byte> wire;
  errc expected;
};

std::vector<Malformed> malformed_cases() {
  std::vector<Malformed> cases;
  cases.push_back({"truncated header", bytes({0, 7, 0x81}), errc::truncated_header});
  {
    Reply r(1);  // A name that points at itself.
    r.writer().u16_be(static_cast<std::uint16_t>(0xC000 | r.writer().size()));
    r.writer().u16_be(1);
    r.writer().u16_be(1);
    r.writer().u32_be(1);
    r.writer().u16_be(0);
    cases.push_back({"pointer to itself", r.take(), errc::bad_pointer});
  }
  {
    Reply r(1);
    r.record(type::cname, bytes({0xC3, 0xFF}));  // Past the end (and forward).
    cases.push_back({"pointer past the end", r.take(), errc::bad_pointer});
  }
  {
    Reply r(1);
    r.record(type::cname, bytes({0x41, 'a', 0}));  // Length 65: label type 01, reserved.
    cases.push_back({"label over 63", r.take(), errc::bad_label});
  }
  {
    Reply r(1);
    r.record(type::a, bytes({192, 0, 2, 1}), 40);
    cases.push_back({"rdlength past the end", r.take(), errc::rdlength_overrun});
  }
  {
    Reply r(3);
    r.record(type::a, bytes({192, 0, 2, 1}));
    cases.push_back({"counts larger than the data", r.take(), errc::counts_mismatch});
  }
  {
    Reply r(1);
    r.record(type::a, bytes({192, 0, 2, 1, 5}));
    cases.push_back({"A of five bytes", r.take(), errc::bad_rdata});
  }
  {
    Reply r(1);
    r.record(type::a, bytes({192, 0, 2, 1}));
    r.writer().u8(0);
    cases.push_back({"trailing byte", r.take(), errc::trailing_bytes});
  }
  {
    Reply r(1);  // A CAA tag with a line end and an escape byte in it (RFC 8659: alphanumeric).
    r.record(type::caa, bytes({0, 3, 'a', '\n', 0x1B, 'v'}));
    cases.push_back({"CAA tag of control bytes", r.take(), errc::bad_rdata});
  }
  {
    Reply r(1);  // RFC 6891 section 6.1.1: OPT only in the additional section.
    r.record(type::opt, {});
    cases.push_back({"OPT among the answers", r.take(), errc::bad_opt});
  }
  {
    Reply r(0);
    r.writer().patch_u16_be(10, 2);  // ARCOUNT 2: two OPT records.
    for (int i = 0; i < 2; ++i) {
      r.writer().u8(0);
      r.writer().u16_be(type::opt);
      r.writer().u16_be(1232);
      r.writer().u32_be(0);
      r.writer().u16_be(0);
    }
    cases.push_back({"two OPT records", r.take(), errc::bad_opt});
  }
  return cases;
}

TEST(DnsParse, EachDefectHasItsOwnError) {
  for (const auto& c : malformed_cases()) {
    auto m = parse_exact(c.wire);
    ASSERT_FALSE(m.ok()) << c.name;
    EXPECT_EQ(m.error(), c.expected) << c.name << ": " << m.error().message();
  }
}

TEST(DnsParse, PointerLoopIsCaught) {
  // Two names pointing at each other: the second is reached first (through a later pointer),
  // which points back to the first, which points forward: refused as not backwards.
  ByteWriter w;
  for (int v : {0, 7, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0}) w.u8(static_cast<std::uint8_t>(v));
  w.u8(0xC0);
  w.u8(14);  // Offset 12 -> 14: forward.
  w.u8(0xC0);
  w.u8(12);  // Offset 14 -> 12.
  w.u16_be(1);
  w.u16_be(1);
  auto m = parse_exact(w.take());
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error(), errc::bad_pointer);
}

TEST(DnsParse, ExtendedRcodeAndEdns) {
  Reply r(0, 3);
  r.writer().patch_u16_be(10, 1);  // ARCOUNT 1
  r.writer().u8(0);
  r.writer().u16_be(type::opt);
  r.writer().u16_be(4096);
  r.writer().u32_be(0x01008000);  // Extended rcode 1, version 0, DO.
  r.writer().u16_be(0);
  auto m = parse_exact(r.take());
  ASSERT_TRUE(m.ok()) << m.error().message();
  ASSERT_TRUE(m->edns.has_value());
  EXPECT_EQ(m->edns->udp_size, 4096);
  EXPECT_TRUE(m->edns->dnssec_ok);
  EXPECT_EQ(m->header.rcode, 3 | (1 << 4));
  EXPECT_TRUE(m->additional.empty());
  EXPECT_EQ(rcode_name(3), "NXDOMAIN");
  EXPECT_EQ(rcode_name(19), "RCODE19");
}

TEST(DnsTcpFramer, SplitAtEveryOffsetGivesTheWholeMessage) {
  auto framed = build_tcp_query({0xBEEF, "a.bc", type::mx, true, 1232});
  ASSERT_TRUE(framed.ok());
  framed->push_back(std::byte{0x77});  // The start of a next message: never taken.
  const std::span<const std::byte> whole(*framed);
  const auto message = whole.subspan(2, whole.size() - 3);
  for (std::size_t split = 0; split <= whole.size(); ++split) {
    TcpFramer framer;
    std::size_t used = framer.feed(whole.first(split));
    EXPECT_EQ(framer.received(), used) << split;
    if (!framer.complete()) used += framer.feed(whole.subspan(used));
    ASSERT_TRUE(framer.complete()) << split;
    EXPECT_EQ(used, whole.size() - 1) << split;
    EXPECT_EQ(framer.wanted(), 0u);
    EXPECT_EQ(framer.expected(), message.size());
    EXPECT_TRUE(std::equal(message.begin(), message.end(), framer.message().begin(),
                           framer.message().end()))
        << split;
  }
  TcpFramer bytewise;  // One byte at a time; wanted() counts down to the end.
  for (std::size_t i = 0; i + 1 < whole.size(); ++i) {
    EXPECT_FALSE(bytewise.complete()) << i;
    EXPECT_EQ(bytewise.wanted(), i < 2 ? 2 - i : whole.size() - 1 - i) << i;
    EXPECT_EQ(bytewise.feed(whole.subspan(i, 1)), 1u);
  }
  EXPECT_TRUE(bytewise.complete());
  EXPECT_EQ(bytewise.feed(whole.last(1)), 0u);  // Full: takes nothing more.
}

TEST(DnsTcpFramer, EmptyMessageIsCompleteAtOnce) {
  TcpFramer framer;
  EXPECT_EQ(framer.received(), 0u);
  EXPECT_EQ(framer.feed(bytes({0, 0, 1})), 2u);
  EXPECT_TRUE(framer.complete());
  EXPECT_TRUE(framer.message().empty());
}

TEST(DnsNames, EscapesLikeDig) {
  const auto label = bytes({'a', '.', 'b', ' ', 0x7F, '\\'});
  EXPECT_EQ(escape_label(label), "a\\.b\\032\\127\\\\");
}

}  // namespace
}  // namespace soket::proto::dns
