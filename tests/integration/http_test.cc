// soket http against nginx on loopback (plain and TLS, with a test CA made by openssl here),
// with curl against the same URLs as the oracle; and a raw server for what nginx won't send.
#include <gtest/gtest.h>

#include "integration/http_servers.h"
#include "support/closed_port.h"

namespace soket::test {
namespace {

TEST_F(HttpHeavy, FilesOfEverySizeMatchCurl) {
  for (const std::string name : {"empty.bin", "one.bin", "big.bin"}) {
    const auto ours = nginx_.dir() / ("ours-" + name);
    auto result = soket({nginx_.url("/" + name), "-o", ours.string()});
    EXPECT_EQ(result.exit_code, 0) << name << ": " << result.err;
    auto theirs = curl({nginx_.url("/" + name)});
    // Compared as booleans: a failure must not print 20 MiB of bytes.
    const std::string body = read_file(ours), file = read_file(nginx_.file(name));
    EXPECT_TRUE(body == theirs.out)
        << name << ": " << body.size() << " vs curl's " << theirs.out.size();
    EXPECT_TRUE(body == file) << name << ": " << body.size() << " vs " << file.size();
  }
}

TEST_F(HttpHeavy, NotFoundAndFail) {
  auto ours = soket({nginx_.url("/missing")});
  auto theirs = curl({nginx_.url("/missing")});
  EXPECT_EQ(ours.exit_code, 0);
  EXPECT_EQ(ours.out, theirs.out);
  auto failed = soket({nginx_.url("/missing"), "-f"});
  EXPECT_EQ(failed.exit_code, 17);
  EXPECT_NE(failed.err.find("404 Not Found"), std::string::npos) << failed.err;
}

TEST_F(HttpHeavy, RedirectChainAndLoop) {
  auto ours = soket({nginx_.url("/r1"), "-L"});
  auto theirs = curl({nginx_.url("/r1"), "-L"});
  EXPECT_EQ(ours.exit_code, 0) << ours.err;
  EXPECT_EQ(ours.out, theirs.out);
  EXPECT_EQ(ours.out, read_file(nginx_.file("page.txt")));
  auto unfollowed = soket({nginx_.url("/r1")});
  EXPECT_EQ(unfollowed.out, curl({nginx_.url("/r1")}).out);
  auto loop = soket({nginx_.url("/loop"), "-L", "--max-redirs", "5"});
  EXPECT_EQ(loop.exit_code, 16);
  EXPECT_NE(loop.err.find("too many redirects"), std::string::npos);
}

TEST_F(HttpHeavy, GzipIsDecoded) {
  auto ours = soket({nginx_.url("/page.txt"), "--compressed", "-v"});
  EXPECT_EQ(ours.exit_code, 0) << ours.err;
  EXPECT_EQ(ours.out, read_file(nginx_.file("page.txt")));
  EXPECT_NE(ours.err.find("< Content-Encoding: gzip"), std::string::npos) << ours.err;
  EXPECT_NE(ours.err.find("> User-Agent: soket/"), std::string::npos);
  EXPECT_EQ(ours.out, curl({nginx_.url("/page.txt"), "--compressed"}).out);
}

TEST_F(HttpHeavy, HeadPrintsTheStatusLineAndHeaders) {
  auto ours = soket({nginx_.url("/one.bin"), "-I"});
  EXPECT_EQ(ours.exit_code, 0);
  EXPECT_EQ(ours.out.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << ours.out;
  EXPECT_NE(ours.out.find("Content-Length: 1\r\n"), std::string::npos);
}

TEST_F(HttpHeavy, Ipv6Literal) {
  const std::string url = nginx_.url("/one.bin");
  const std::string v6 = "http://[::1]:" + url.substr(url.rfind(':') + 1);
  auto ours = soket({v6});
  EXPECT_EQ(ours.exit_code, 0) << ours.err;
  EXPECT_EQ(ours.out, "x");
}

TEST_F(HttpHeavy, TlsVerifiedWithTheTestCa) {
  auto ours = soket({nginx_.tls_url("/one.bin"), "--cacert", nginx_.ca()});
  EXPECT_EQ(ours.exit_code, 0) << ours.err;
  EXPECT_EQ(ours.out, curl({nginx_.tls_url("/one.bin"), "--cacert", nginx_.ca()}).out);
}

TEST_F(HttpHeavy, TlsFailuresSayWhy) {
  auto unknown = soket({nginx_.tls_url("/one.bin")});
  EXPECT_EQ(unknown.exit_code, 14);
  EXPECT_NE(unknown.err.find("unknown CA"), std::string::npos) << unknown.err;
  auto wrong = soket({nginx_.tls_url("/one.bin", "localhost"), "--cacert", nginx_.ca()});
  EXPECT_EQ(wrong.exit_code, 14);
  EXPECT_NE(wrong.err.find("another host name"), std::string::npos) << wrong.err;
  auto insecure = soket({nginx_.tls_url("/one.bin"), "-k"});
  EXPECT_EQ(insecure.exit_code, 0);
  EXPECT_EQ(insecure.out, "x");
  EXPECT_NE(insecure.err.find("NOT verified"), std::string::npos);
}

TEST(HttpUsage, BadUrls) {
  EXPECT_EQ(run({soket_binary(), "http", "ftp://x/"}).exit_code, 2);
  EXPECT_EQ(run({soket_binary(), "http", "http://x:0/"}).exit_code, 2);
  EXPECT_EQ(run({soket_binary(), "http", "not a url"}).exit_code, 2);
}

TEST(HttpErrors, RefusedAndHostNotFound) {
  const ClosedTcpPort nobody;
  auto refused =
      run({soket_binary(), "http", "http://127.0.0.1:" + std::to_string(nobody.port()) + "/"});
  EXPECT_EQ(refused.exit_code, 7) << refused.err;
}

TEST(HttpRaw, ChunkedWithOddSizesAndTrailers) {
  RawServer server(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nH\r\n3;x=y\r\nalo\r\n"
      "0000a\r\n, dunia!!!\r\n0\r\nX-Checksum: 1\r\n\r\n");
  auto ours = run({soket_binary(), "http", server.url()});
  EXPECT_EQ(ours.exit_code, 0) << ours.err;
  EXPECT_EQ(ours.out, "Halo, dunia!!!");
}

TEST(HttpRaw, ContinueIsSkipped) {
  RawServer server("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  auto ours = run({soket_binary(), "http", server.url()});
  EXPECT_EQ(ours.out, "ok");
}

TEST(HttpRaw, ClosedEarlyLeavesNoFile) {
  RawServer server("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b");
  const auto path = fs::temp_directory_path() / ("soket-short-" + std::to_string(::getpid()));
  auto ours = run({soket_binary(), "http", server.url(), "-o", path.string()});
  EXPECT_EQ(ours.exit_code, 15) << ours.err;
  EXPECT_FALSE(fs::exists(path));
  for (const auto& entry : fs::directory_iterator(fs::temp_directory_path())) {
    EXPECT_EQ(entry.path().filename().string().find("soket-short-" + std::to_string(::getpid()) +
                                                    ".soket-"),
              std::string::npos);  // No temporary left behind either.
  }
}

TEST(HttpRaw, HugeHeaderLineAndBadChunkAreMalformed) {
  RawServer huge("HTTP/1.1 200 OK\r\nX-Huge: " + std::string(1 << 20, 'h') + "\r\n\r\n");
  auto first = run({soket_binary(), "http", huge.url()});
  EXPECT_EQ(first.exit_code, 13) << first.err;
  EXPECT_NE(first.err.find("too long"), std::string::npos);
  RawServer bad("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n");
  auto second = run({soket_binary(), "http", bad.url()});
  EXPECT_EQ(second.exit_code, 13) << second.err;
  EXPECT_NE(second.err.find("invalid chunk size"), std::string::npos);
}

TEST(HttpRaw, NeverEndingResponseTimesOut) {
  RawServer server("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nbegin", /*hold=*/true);
  const auto start = Clock::now();
  auto ours = run({soket_binary(), "http", server.url(), "--timeout", "0.5"});
  EXPECT_EQ(ours.exit_code, 8) << ours.err;
  EXPECT_GE(Clock::now() - start, 450ms);
}

}  // namespace
}  // namespace soket::test
