// soket http against nginx on loopback (plain and TLS, with a test CA made by openssl here),
// with curl against the same URLs as the oracle; and a raw server for what nginx won't send.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "net/deadline_io.h"
#include "net/socket_ops.h"
#include "support/child_process.h"

namespace soket::test {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int free_port() {
  auto fd = net::open_listener(net::Address::parse("127.0.0.1", 0).value(), {}, 1);
  return net::local_address(fd->get())->port();
}

bool wait_for_port(int port) {  // Bounded: until it accepts, at most 10 s.
  auto address = net::Address::parse("127.0.0.1", static_cast<std::uint16_t>(port)).value();
  for (int i = 0; i < 200; ++i) {
    if (net::connect_any({address}, net::Transport::tcp, Clock::now() + 1s)) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

class Nginx {
 public:
  Nginx() {
    dir_ = fs::temp_directory_path() / ("soket-nginx-" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "www");
    fs::create_directories(dir_ / "tmp");
    std::ofstream(dir_ / "www" / "empty.bin");
    std::ofstream(dir_ / "www" / "one.bin") << "x";
    std::string big(20 << 20, '\0');
    std::mt19937 random(7);
    for (auto& c : big) c = static_cast<char>(random());
    std::ofstream(dir_ / "www" / "big.bin", std::ios::binary) << big;
    std::string page;
    for (int i = 0; i < 4000; ++i) page += "Halo " + std::to_string(i) + ", data telah diproses.\n";
    std::ofstream(dir_ / "www" / "page.txt") << page;
    make_certificates();
    // A port found free may be taken before nginx binds it: start, then check that nginx
    // itself listens on both ports (else it exits on the bind), and try fresh ports if not.
    for (int attempt = 0; attempt < 5 && !ready_; ++attempt) {
      port_ = free_port();
      tls_port_ = free_port();
      std::ofstream(dir_ / "nginx.conf") << config();
      process_ = std::make_unique<ChildProcess>(std::vector<std::string>{
          "nginx", "-p", dir_.string(), "-c", (dir_ / "nginx.conf").string()});
      ready_ = holds_ports(*process_) && wait_for_port(port_) && wait_for_port(tls_port_);
    }
  }
  ~Nginx() {
    process_.reset();
    fs::remove_all(dir_);
  }
  bool ready() const { return ready_; }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::string tls_url(const std::string& path, const std::string& host = "127.0.0.1") const {
    return "https://" + host + ":" + std::to_string(tls_port_) + path;
  }
  fs::path file(const std::string& name) const { return dir_ / "www" / name; }
  std::string ca() const { return (dir_ / "ca.crt").string(); }
  fs::path dir() const { return dir_; }
  std::string err() const { return process_ ? process_->err() : ""; }

 private:
  void make_certificates() {
    const auto d = dir_.string();
    const std::vector<std::vector<std::string>> steps = {
        {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", d + "/ca.key", "-out", d + "/ca.crt", "-days", "2", "-subj",
         "/CN=soket test CA"},
        {"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", d + "/server.key", "-out", d + "/server.csr", "-subj", "/CN=127.0.0.1"},
    };
    for (const auto& step : steps) run(step);
    std::ofstream(dir_ / "ext.cnf") << "subjectAltName=IP:127.0.0.1,IP:::1\n";
    run({"openssl", "x509", "-req", "-in", d + "/server.csr", "-CA", d + "/ca.crt", "-CAkey",
         d + "/ca.key", "-CAcreateserial", "-out", d + "/server.crt", "-days", "2", "-extfile",
         d + "/ext.cnf"});
  }
  std::string config() const {
    const auto d = dir_.string();
    std::ostringstream c;
    c << "daemon off;\nmaster_process off;\nworker_processes 1;\n"
      << "error_log " << d << "/error.log warn;\npid " << d << "/nginx.pid;\n"
      << "events { worker_connections 256; }\nhttp {\n  access_log off;\n"
      << "  client_body_temp_path " << d << "/tmp;\n  proxy_temp_path " << d << "/tmp;\n"
      << "  fastcgi_temp_path " << d << "/tmp;\n  uwsgi_temp_path " << d << "/tmp;\n"
      << "  scgi_temp_path " << d << "/tmp;\n"
      << "  types { text/plain txt; }\n  default_type application/octet-stream;\n"
      << "  gzip on;\n  gzip_types text/plain;\n  gzip_min_length 1;\n"
      << "  server {\n    listen 127.0.0.1:" << port_ << ";\n    listen [::1]:" << port_ << ";\n"
      << "    listen 127.0.0.1:" << tls_port_ << " ssl;\n"
      << "    ssl_certificate " << d << "/server.crt;\n    ssl_certificate_key " << d
      << "/server.key;\n"
      << "    root " << d << "/www;\n"
      << "    location = /r1 { return 301 /r2; }\n    location = /r2 { return 302 /r3; }\n"
      << "    location = /r3 { return 307 /page.txt; }\n    location = /loop { return 302 /loop; "
         "}\n"
      << "  }\n}\n";
    return c.str();
  }

  // Whether `nginx` listens on both ports itself, polled up to 10 s (until it exits).
  bool holds_ports(ChildProcess& nginx) const {
    for (int i = 0; i < 200; ++i) {
      if (listens_on(nginx.pid(), port_) && listens_on(nginx.pid(), tls_port_)) return true;
      if (nginx.wait_exit(50ms)) return false;  // A bind that failed ends nginx.
    }
    return false;
  }
  // True when process `pid` holds a socket in LISTEN on 127.0.0.1:`port`: the inode of
  // that socket in /proc/net/tcp is one of the process's descriptors.
  static bool listens_on(pid_t pid, int port) {
    std::ifstream table("/proc/net/tcp");
    std::string line;
    char wanted[32];
    std::snprintf(wanted, sizeof wanted, "0100007F:%04X", port);
    std::getline(table, line);  // The column names.
    while (std::getline(table, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
      fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
          timeout >> inode;
      if (local != wanted || state != "0A") continue;
      const std::string target = "socket:[" + inode + "]";
      std::error_code error;
      for (const auto& fd : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", error)) {
        if (fs::read_symlink(fd.path(), error).string() == target) return true;
      }
    }
    return false;
  }

  fs::path dir_;
  int port_ = 0, tls_port_ = 0;
  std::unique_ptr<ChildProcess> process_;
  bool ready_ = false;
};

// Heavy: every test starts nginx and writes a 20 MiB file; the suite is serialised.
class HttpHeavy : public testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(nginx_.ready()) << nginx_.err(); }
  RunResult soket(std::vector<std::string> args) {
    args.insert(args.begin(), {soket_binary(), "http"});
    return run(args, "", 60s);
  }
  RunResult curl(std::vector<std::string> args) {
    args.insert(args.begin(), {"curl", "-s"});
    return run(args, "", 60s);
  }
  Nginx nginx_;
};

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
  const int port = free_port();  // Closed again: nothing listens there.
  auto refused = run({soket_binary(), "http", "http://127.0.0.1:" + std::to_string(port) + "/"});
  EXPECT_EQ(refused.exit_code, 7) << refused.err;
}

// A raw server for what nginx won't send: each connection gets `reply`, then is closed (or,
// with hold, kept open until the test ends).
class RawServer {
 public:
  RawServer(std::string reply, bool hold = false) : reply_(std::move(reply)), hold_(hold) {
    listener_ =
        std::move(net::open_listener(net::Address::parse("127.0.0.1", 0).value(), {}, 8).value());
    port_ = net::local_address(listener_.get())->port();
    thread_ = std::thread([this] { serve(); });
  }
  ~RawServer() {
    stop_ = true;
    thread_.join();
  }
  std::string url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  void serve() {
    std::vector<net::Fd> held;
    for (int ticks = 0; !stop_ && ticks < 1200; ++ticks) {  // At most 60 s.
      pollfd ready{listener_.get(), POLLIN, 0};
      if (::poll(&ready, 1, 50) <= 0) continue;
      auto accepted = net::try_accept(listener_.get());
      if (!accepted) continue;
      std::string request;
      char chunk[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        auto got = net::read_some(accepted->fd.get(), std::as_writable_bytes(std::span(chunk)),
                                  Clock::now() + 5s);
        if (!got || *got == 0) break;
        request.append(chunk, *got);
      }
      (void)net::write_all(accepted->fd.get(), soket::as_bytes(reply_), Clock::now() + 10s);
      if (hold_) held.push_back(std::move(accepted->fd));
    }
  }

  std::string reply_;
  bool hold_;
  net::Fd listener_;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

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
