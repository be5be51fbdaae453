#include <gtest/gtest.h>
#include <zlib.h>

#include <memory>

#include "proto/http/content_decoder.h"
#include "proto/http/request.h"
#include "proto/http/response_parser.h"
#include "proto/http/url.h"

namespace soket::proto::http {
namespace {

// Writes down every event, so that two ways of feeding the same bytes can be compared.
struct Log final : ResponseHandler {
  std::string text;
  void on_status(int minor, int status, std::string_view reason) override {
    text += "S1." + std::to_string(minor) + " " + std::to_string(status) + " " +
            std::string(reason) + "|";
  }
  void on_header(std::string_view n, std::string_view v) override {
    text += "H" + std::string(n) + "=" + std::string(v) + "|";
  }
  void on_headers_done(std::int64_t length) override { text += "L" + std::to_string(length) + "|"; }
  void on_body(std::string_view bytes) override { body += bytes; }
  void on_trailer(std::string_view n, std::string_view v) override {
    text += "T" + std::string(n) + "=" + std::string(v) + "|";
  }
  void on_done() override { text += "done"; }
  std::string body;
};

// Feeds `wire` in the pieces `cuts` gives (keeping what the parser did not use, as a client
// does), then the end of the stream. Returns the log, the body, or the error's message.
std::string parse(std::string_view wire, std::vector<std::size_t> cuts, bool head = false) {
  ResponseParser parser(head);
  Log log;
  std::string pending;
  std::size_t fed = 0;
  cuts.push_back(wire.size());
  for (std::size_t cut : cuts) {
    pending.append(wire.substr(fed, cut - fed));
    fed = cut;
    auto copy = std::make_unique<char[]>(pending.size() + 1);  // Exact size for ASan.
    std::copy(pending.begin(), pending.end(), copy.get());
    auto used = parser.feed({copy.get(), pending.size()}, log);
    if (!used) return "error: " + used.error().message();
    pending.erase(0, *used);
  }
  if (!parser.done()) {
    if (auto end = parser.finish_at_eof(log); !end) return "error: " + end.error().message();
  }
  return log.text + " body=" + log.body;
}

struct Case {
  const char* name;
  std::string wire;
  std::string expected;
  bool head = false;
};

std::vector<Case> cases() {
  return {
      {"content-length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
       "S1.1 200 OK|HContent-Length=5|L5|done body=hello"},
      {"chunked with odd sizes and trailers",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: "
       "chunked\r\n\r\n1\r\na\r\n0f;ext=1\r\nbcdefghijklmnop\r\n"
       "0\r\nX-Sum: 16\r\n\r\n",
       "S1.1 200 OK|HTransfer-Encoding=chunked|L-1|TX-Sum=16|done body=abcdefghijklmnop"},
      {"until close", "HTTP/1.0 200 OK\r\nServer: x\r\n\r\nall of it",
       "S1.0 200 OK|HServer=x|L-1|done body=all of it"},
      {"100 continue skipped", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
       "S1.1 204 No Content|L0|done body="},
      {"head has no body", "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n",
       "S1.1 200 OK|HContent-Length=99|L0|done body=", true},
      {"bare LF and no reason", "HTTP/1.1 404\nContent-Length: 0\n\n",
       "S1.1 404 |HContent-Length=0|L0|done body="},
      {"folding rejected", "HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n",
       "error: obsolete header line folding"},
      {"bad status", "HTTP/2 200 OK\r\n\r\n", "error: malformed status line"},
      {"bad header", "HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n", "error: malformed header line"},
      {"bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
       "error: invalid chunk size"},
      {"chunk without CRLF", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY",
       "error: chunk data not followed by CRLF"},
      {"two content lengths", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
       "error: invalid Content-Length"},
      {"short body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
       "error: the connection closed before the body ended"},
      {"closed in headers", "HTTP/1.1 200 OK\r\nContent-Le",
       "error: the connection closed inside the headers"},
      // RFC 9112 section 6.3: Transfer-Encoding wins over a Content-Length beside it, in
      // either order.
      {"chunked beside content-length",
       "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
       "a\r\n0123456789\r\n0\r\n\r\n",
       "S1.1 200 OK|HContent-Length=3|HTransfer-Encoding=chunked|L-1|done body=0123456789"},
      {"content-length after chunked",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 99\r\n\r\n"
       "3\r\nabc\r\n0\r\n\r\n",
       "S1.1 200 OK|HTransfer-Encoding=chunked|HContent-Length=99|L-1|done body=abc"},
      {"another coding beside content-length runs until close",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabcdef",
       "S1.1 200 OK|HTransfer-Encoding=gzip|HContent-Length=3|L-1|done body=abcdef"},
      {"chunked then another coding: the last one counts",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n"
       "Content-Length: 1\r\n\r\n3\r\nabc",
       "S1.1 200 OK|HTransfer-Encoding=chunked|HTransfer-Encoding=gzip|HContent-Length=1|L-1|"
       "done body=3\r\nabc"},
      {"chunk size past 64 bits",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nabc",
       "error: invalid chunk size"},
      {"chunk size that would wrap to 1",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000001\r\nabc",
       "error: invalid chunk size"},
      {"chunk size with leading zeros",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n00000000000000000003\r\nabc\r\n"
       "0\r\n\r\n",
       "S1.1 200 OK|HTransfer-Encoding=chunked|L-1|done body=abc"},
  };
}

TEST(ResponseParser, NamedCases) {
  for (const auto& c : cases()) EXPECT_EQ(parse(c.wire, {}, c.head), c.expected) << c.name;
}

TEST(ResponseParser, SameEventsWhateverTheSplit) {
  for (const auto& c : cases()) {
    for (std::size_t at = 0; at <= c.wire.size(); ++at) {
      EXPECT_EQ(parse(c.wire, {at}, c.head), c.expected) << c.name << " split at " << at;
    }
    std::vector<std::size_t> every;
    for (std::size_t at = 1; at < c.wire.size(); ++at) every.push_back(at);
    EXPECT_EQ(parse(c.wire, every, c.head), c.expected) << c.name << " byte by byte";
  }
}

TEST(ResponseParser, EveryTruncatedPrefixIsIncompleteNotWrong) {
  const std::string whole = cases()[1].wire;
  for (std::size_t length = 0; length < whole.size(); ++length) {
    const auto result = parse(whole.substr(0, length), {});
    EXPECT_EQ(result.rfind("error: the connection closed", 0), 0u) << length << ": " << result;
  }
}

TEST(ResponseParser, AHugeHeaderLineIsRefused) {
  const std::string wire = "HTTP/1.1 200 OK\r\nX-Big: " + std::string(1 << 20, 'a') + "\r\n\r\n";
  EXPECT_EQ(parse(wire, {}), "error: a status or header line is too long");
}

// Endless headers in every shape meet a limit, each with its own error (issue 12.7).
TEST(ResponseParser, HeaderFloodsMeetTheirLimits) {
  std::string many = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 201; ++i) many += "X-N: v\r\n";
  EXPECT_EQ(parse(many + "\r\n", {}), "error: too many header lines");
  std::string interim;
  while (interim.size() <= 256 * 1024) interim += "HTTP/1.1 100 Continue\r\n\r\n";
  EXPECT_EQ(parse(interim, {}), "error: the headers are too large in all");
  std::string trailers = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n";
  for (int i = 0; i < 201; ++i) trailers += "X-T: v\r\n";
  EXPECT_EQ(parse(trailers + "\r\n", {}), "error: too many header lines");
  // 199 long lines: under the count, under the line limit, over the bytes in all.
  std::string big = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 199; ++i) big += "X-B: " + std::string(2000, 'b') + "\r\n";
  EXPECT_EQ(parse(big + "\r\n", {}), "error: the headers are too large in all");
  // Just under every limit still parses.
  std::string fits = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 199; ++i) fits += "X-F: " + std::string(1000, 'f') + "\r\n";
  EXPECT_EQ(parse(fits + "Content-Length: 0\r\n\r\n", {}).rfind("error", 0), std::string::npos);
}

TEST(Url, SameOrigin) {
  const Url base = *parse_url("http://Host.example:8080/a");
  EXPECT_TRUE(same_origin(base, *parse_url("http://host.EXAMPLE:8080/b?c")));
  EXPECT_FALSE(same_origin(base, *parse_url("https://host.example:8080/a")));  // Scheme.
  EXPECT_FALSE(same_origin(base, *parse_url("http://host.example:8081/a")));   // Port.
  EXPECT_FALSE(same_origin(base, *parse_url("http://other.example:8080/a")));  // Host.
  EXPECT_FALSE(same_origin(*parse_url("http://h/"), *parse_url("https://h:80/")));
}

TEST(Request, BasicAuthorization) {  // RFC 7617 section 2 and RFC 4648 section 10 vectors.
  EXPECT_EQ(basic_authorization("Aladdin:open sesame"), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  EXPECT_EQ(basic_authorization("f"), "Basic Zg==");
  EXPECT_EQ(basic_authorization("fo"), "Basic Zm8=");
  EXPECT_EQ(basic_authorization("foo"), "Basic Zm9v");
  EXPECT_EQ(basic_authorization("foobar"), "Basic Zm9vYmFy");
  EXPECT_EQ(basic_authorization(""), "Basic ");
}

TEST(Url, PartsAndForms) {
  auto url = parse_url("https://[::1]:8443/a b?x=1#frag");
  ASSERT_TRUE(url.ok());
  EXPECT_TRUE(url->https);
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 8443);
  EXPECT_EQ(url->target, "/a%20b?x=1");
  EXPECT_EQ(url->authority(), "[::1]:8443");
  auto plain = parse_url("HTTP://Example.com");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->target, "/");
  EXPECT_EQ(plain->authority(), "Example.com");
  EXPECT_EQ(parse_url("http://h/%41%zz")->target, "/%41%25zz");
  EXPECT_EQ(parse_url("ftp://h/").error(), url_errc::bad_scheme);
  EXPECT_EQ(parse_url("http://h:99999/").error(), url_errc::bad_port);
  EXPECT_EQ(parse_url("http:///x").error(), url_errc::no_host);
  EXPECT_EQ(parse_url("http://u:p@h/").error(), url_errc::has_userinfo);
}

TEST(Url, Locations) {
  const Url base = *parse_url("http://h:81/dir/page?q");
  EXPECT_EQ(resolve_location(base, "/abs")->to_string(), "http://h:81/abs");
  EXPECT_EQ(resolve_location(base, "rel")->to_string(), "http://h:81/dir/rel");
  EXPECT_EQ(resolve_location(base, "https://other/x")->to_string(), "https://other/x");
  EXPECT_EQ(resolve_location(base, "//other:90/y")->to_string(), "http://other:90/y");
  EXPECT_EQ(resolve_location(base, "/next?u=http://x/")->to_string(),
            "http://h:81/next?u=http://x/");
}

TEST(Request, LineAndHeaders) {
  RequestSpec spec{"GET", *parse_url("http://h:8080/p?q"), {{"X-A", "1"}}, "", true, "soket/1", "",
                   "*/*"};
  EXPECT_EQ(build_request(spec),
            "GET /p?q HTTP/1.1\r\nHost: h:8080\r\nUser-Agent: soket/1\r\nAccept: */*\r\n"
            "Accept-Encoding: gzip, deflate\r\nConnection: close\r\nX-A: 1\r\n\r\n");
  RequestSpec post{
      "POST", *parse_url("http://h/"), {{"user-agent", "mine"}}, "abc", false, "soket/1", "",
      "*/*"};
  EXPECT_EQ(build_request(post),
            "POST / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nConnection: close\r\n"
            "Content-Length: 3\r\nuser-agent: mine\r\n\r\nabc");
  RequestSpec json{"POST",
                   *parse_url("http://h/"),
                   {},
                   "{}",
                   false,
                   "u",
                   "application/json",
                   "application/json"};
  EXPECT_EQ(build_request(json),
            "POST / HTTP/1.1\r\nHost: h\r\nUser-Agent: u\r\nAccept: application/json\r\n"
            "Connection: close\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
}

std::string compress(const std::string& text, int window_bits) {
  z_stream s{};
  deflateInit2(&s, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY);
  std::string out(text.size() + 1024, '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  s.avail_in = static_cast<uInt>(text.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  deflate(&s, Z_FINISH);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

TEST(ContentDecoder, GzipDeflateAndRawDeflateInPieces) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "line " + std::to_string(i) + "\n";
  for (const auto& [coding, bits] : {std::pair{ContentDecoder::Coding::gzip, 16 + MAX_WBITS},
                                     {ContentDecoder::Coding::deflate, MAX_WBITS},
                                     {ContentDecoder::Coding::deflate, -MAX_WBITS}}) {
    const std::string packed = compress(text, bits);
    ContentDecoder decoder(coding);
    std::string out;
    for (std::size_t at = 0; at < packed.size(); at += 777) {
      ASSERT_TRUE(decoder.decode(std::string_view(packed).substr(at, 777), out).ok()) << bits;
    }
    EXPECT_EQ(out, text) << bits;
    EXPECT_TRUE(decoder.finished());
  }
  ContentDecoder bad(ContentDecoder::Coding::gzip);
  std::string out;
  EXPECT_FALSE(bad.decode("not gzip at all", out).ok());
  EXPECT_EQ(ContentDecoder::coding_of("GZIP"), ContentDecoder::Coding::gzip);
}

}  // namespace
}  // namespace soket::proto::http
