// The servers soket http's integration tests fetch from: nginx on loopback (plain and TLS,
// with a test CA made by openssl here), a raw server for what nginx won't send, and a
// scripted one that answers each connection in turn and keeps what it was sent.
#pragma once

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
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "net/deadline_io.h"
#include "net/socket_ops.h"
#include "support/child_process.h"
#include "support/free_port.h"

namespace soket::test {

namespace fs = std::filesystem;

inline std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline bool wait_for_port(int port) {  // Bounded: until it accepts, at most 10 s.
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

// A scripted server for what nginx won't send: connection N gets replies[N] (the last one
// again past the end), then is closed (or, with hold, kept open until the test ends); it keeps
// each request, body included (by its Content-Length), and counts them.
class ScriptedServer {
 public:
  explicit ScriptedServer(std::vector<std::string> replies, bool hold = false)
      : replies_(std::move(replies)), hold_(hold) {
    listener_ =
        std::move(net::open_listener(net::Address::parse("127.0.0.1", 0).value(), {}, 8).value());
    port_ = net::local_address(listener_.get())->port();
    thread_ = std::thread([this] { serve(); });
  }
  ~ScriptedServer() {
    stop_ = true;
    thread_.join();
  }
  std::string url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int port() const { return port_; }
  int count() const { return count_; }
  std::vector<std::string> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  static std::size_t content_length(const std::string& head) {
    std::string lower = head;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto at = lower.find("\r\ncontent-length:");
    return at == std::string::npos ? 0 : std::stoul(head.substr(at + 17));
  }
  void serve() {
    std::vector<net::Fd> held;
    for (int ticks = 0; !stop_ && ticks < 1200; ++ticks) {  // At most 60 s.
      pollfd ready{listener_.get(), POLLIN, 0};
      if (::poll(&ready, 1, 50) <= 0) continue;
      auto accepted = net::try_accept(listener_.get());
      if (!accepted) continue;
      std::string request;
      char chunk[4096];
      const TimePoint deadline = Clock::now() + 5s;
      for (int reads = 0; reads < 10000; ++reads) {
        const auto end = request.find("\r\n\r\n");
        if (end != std::string::npos && request.size() >= end + 4 + content_length(request)) break;
        auto got =
            net::read_some(accepted->fd.get(), std::as_writable_bytes(std::span(chunk)), deadline);
        if (!got || *got == 0) break;
        request.append(chunk, *got);
      }
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(request);
      }
      const std::string& reply = replies_[std::min<std::size_t>(count_, replies_.size() - 1)];
      ++count_;
      (void)net::write_all(accepted->fd.get(), soket::as_bytes(reply), Clock::now() + 10s);
      if (hold_) held.push_back(std::move(accepted->fd));
    }
  }

  std::vector<std::string> replies_;
  bool hold_;
  net::Fd listener_;
  int port_ = 0;
  std::atomic<int> count_{0};
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

// One reply to every connection.
struct RawServer : ScriptedServer {
  explicit RawServer(std::string reply, bool hold = false)
      : ScriptedServer({std::move(reply)}, hold) {}
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

}  // namespace soket::test
