// The pieces behind soket http's curl habits: scheme-less URLs, -O's file name, -w, -F,
// Content-Range (-C -) and Retry-After (--retry).
#include <gtest/gtest.h>

#include "proto/http/header_values.h"
#include "proto/http/multipart.h"
#include "proto/http/remote_name.h"
#include "proto/http/url.h"
#include "proto/http/write_out.h"

namespace soket::proto::http {
namespace {

TEST(UrlHabits, SchemeLessMeansHttp) {
  EXPECT_EQ(parse_url("127.0.0.1:8080/x")->to_string(), "http://127.0.0.1:8080/x");
  EXPECT_EQ(parse_url("example.com")->to_string(), "http://example.com/");
  EXPECT_EQ(parse_url("[::1]:81/a?b")->to_string(), "http://[::1]:81/a?b");
  EXPECT_EQ(parse_url("").error(), url_errc::no_host);
  EXPECT_EQ(parse_url("ftp://x/").error(), url_errc::bad_scheme);
  EXPECT_EQ(parse_url("not a url").error(), url_errc::bad_host);
  // A "://" in the query is no scheme: only the URL's start can hold one.
  EXPECT_EQ(parse_url("127.0.0.1:81/f?next=http://x/")->to_string(),
            "http://127.0.0.1:81/f?next=http://x/");
  EXPECT_EQ(parse_url("HTTPS://h/")->to_string(), "https://h/");
}

std::error_code name_error(std::string_view url) {
  auto name = remote_file_name(*parse_url(url));
  return name ? std::error_code() : name.error();
}

TEST(RemoteName, TheLastSegmentAsCurlTakesIt) {
  EXPECT_EQ(*remote_file_name(*parse_url("http://h/a/b/file.tar.gz")), "file.tar.gz");
  EXPECT_EQ(*remote_file_name(*parse_url("http://h/a/x.bin?y=/z")), "x.bin");
  EXPECT_EQ(*remote_file_name(*parse_url("http://h/a%20b.txt")), "a%20b.txt");  // As curl.
  EXPECT_EQ(*remote_file_name(*parse_url("http://h/...")), "...");
  EXPECT_EQ(*remote_file_name(*parse_url("http://h/a%41")), "a%41");
}

TEST(RemoteName, RefusesWhatIsNotAFileHere) {
  EXPECT_EQ(name_error("http://h/"), remote_name_errc::empty);
  EXPECT_EQ(name_error("http://h"), remote_name_errc::empty);
  EXPECT_EQ(name_error("http://h/a/"), remote_name_errc::empty);
  EXPECT_EQ(name_error("http://h/a/?q"), remote_name_errc::empty);
  EXPECT_EQ(name_error("http://h/a/.."), remote_name_errc::dot_segment);
  EXPECT_EQ(name_error("http://h/a/."), remote_name_errc::dot_segment);
  EXPECT_EQ(name_error("http://h/%2e%2e"), remote_name_errc::dot_segment);
  EXPECT_EQ(name_error("http://h/%2E."), remote_name_errc::dot_segment);
  EXPECT_EQ(name_error("http://h/a%2fb"), remote_name_errc::separator);
  EXPECT_EQ(name_error("http://h/..%2F..%2Fetc%2Fpasswd"), remote_name_errc::separator);
  EXPECT_EQ(name_error("http://h/a%5cb"), remote_name_errc::separator);
  EXPECT_EQ(name_error("http://h/a%00b"), remote_name_errc::control);
  EXPECT_EQ(name_error("http://h/a%0ab"), remote_name_errc::control);
  EXPECT_EQ(name_error("http://h/" + std::string(256, 'x')), remote_name_errc::too_long);
}

TEST(WriteOut, CurlsVariablesAndEscapes) {
  TransferReport r;
  r.http_code = 200;
  r.size_download = 1234;
  r.time_total = 0.5;
  r.url_effective = "http://h/x";
  r.content_type = "text/plain";
  auto text = expand_write_out(
      "%{http_code} %{size_download} %{time_total}\\n%{url_effective}"
      "\\t%%{x}\\q %{content_type}%{stderr}E%{stdout}O",
      r);
  EXPECT_EQ(text.out, "200 1234 0.500000\nhttp://h/x\t%{x}\\q text/plainO");
  EXPECT_EQ(text.err, "E");
  EXPECT_TRUE(text.unknown.empty());
  r.http_code = 0;
  text = expand_write_out("%{http_code}%{nope}%{unclosed", r);
  EXPECT_EQ(text.out, "000%{unclosed");
  ASSERT_EQ(text.unknown.size(), 1u);
  EXPECT_EQ(text.unknown[0], "nope");
}

TEST(Multipart, AsCurlWritesIt) {
  const std::string body = build_multipart(
      {{"a", "1", std::nullopt, ""}, {"f", "data", "x.txt", ""}, {"q\"\n", "", "b", "t/x"}}, "--B");
  EXPECT_EQ(body,
            "----B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
            "----B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.txt\"\r\n"
            "Content-Type: text/plain\r\n\r\ndata\r\n"
            "----B\r\nContent-Disposition: form-data; name=\"q%22%0A\"; filename=\"b\"\r\n"
            "Content-Type: t/x\r\n\r\n\r\n----B--\r\n");
  EXPECT_EQ(content_type_for("a.PNG"), "image/png");
  EXPECT_EQ(content_type_for("a.bin"), "application/octet-stream");
  EXPECT_EQ(content_type_for(".txt"), "application/octet-stream");
  EXPECT_EQ(multipart_content_type("xy"), "multipart/form-data; boundary=xy");
}

TEST(ContentRange, Forms) {
  auto r = parse_content_range("bytes 100-199/1000");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->first, 100);
  EXPECT_EQ(r->last, 199);
  EXPECT_EQ(r->complete, 1000);
  r = parse_content_range(" bytes 0-0/* ");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->complete, -1);
  r = parse_content_range("bytes */1000");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->first, -1);
  EXPECT_EQ(r->complete, 1000);
  for (const char* bad :
       {"", "bytes", "bytes */*", "bytes 5-4/10", "bytes 0-10/10", "bytes 1-2", "items 1-2/3",
        "bytes -1-2/3", "bytes 1-2/x", "bytes 1234567890123456789-1234567890123456790/*",
        "bytes 1 - 2/3", "bytes 0x1-2/3"}) {
    EXPECT_FALSE(parse_content_range(bad)) << bad;
  }
  // Every truncated prefix of a good value is refused or reads as something else, never
  // crashes.
  const std::string good = "bytes 100-199/1000";
  for (std::size_t n = 0; n < good.size(); ++n) {
    auto prefix = parse_content_range(good.substr(0, n));
    if (prefix) {
      EXPECT_NE(prefix->complete, 1000);
    }
  }
}

TEST(RetryAfter, SecondsAndDates) {
  EXPECT_EQ(parse_retry_after("120", 0, 600), 120);
  EXPECT_EQ(parse_retry_after(" 0 ", 0, 600), 0);
  EXPECT_EQ(parse_retry_after("99999", 0, 600), 600);
  EXPECT_EQ(parse_retry_after("99999999999999999999999", 0, 600), 600);
  EXPECT_FALSE(parse_retry_after("-1", 0, 600));
  EXPECT_FALSE(parse_retry_after("1.5", 0, 600));
  EXPECT_FALSE(parse_retry_after("", 0, 600));
  // 784111777 is Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110's example).
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 - 30, 600), 30);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 + 5, 600), 0);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 0, 600), 600);
  EXPECT_FALSE(parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", 0, 600));
  EXPECT_FALSE(parse_retry_after("Sun, 06 Xyz 1994 08:49:37 GMT", 0, 600));
  EXPECT_FALSE(parse_retry_after("Sun, 06 Nov 1994 25:49:37 GMT", 0, 600));
}

}  // namespace
}  // namespace soket::proto::http
