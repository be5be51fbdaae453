// A malicious HTTP server for `soket http`, one worst server per MODE:
//
//   attack_http_server MODE LOGFILE
//
// It listens on 127.0.0.1 (port chosen by the kernel), prints "listening on 127.0.0.1:PORT
// (tcp)", and serves connections one after another, appending every request it reads to
// LOGFILE as "@@ ADDRESS:PORT\n" and the request's bytes, so that a test can see what the
// client sent where. Modes:
//
//   ok                 200, "hello\n" by Content-Length.
//   redirect-host      307 from 127.0.0.1:P/start to http://127.0.0.2:P/final, then 200.
//   redirect-port      308 from 127.0.0.1:P/start to http://127.0.0.1:Q/final, then 200.
//   redirect-same      307 from /start to /final on the same origin, then 200.
//   gzip-close         gzip body (kGzipText) cut in half, framed by the close.
//   gzip-length        the same half, framed by a Content-Length that matches it.
//   gzip-whole         the whole gzip body, framed by the close (the control case).
//   endless            200 until close, a body that never ends, sent as fast as read.
//   endless-redirect   301 with a body that never ends, sent as fast as the client reads.
//   endless-gzip       200 gzip: empty stored deflate blocks forever, as fast as read.
//   trickle            200 until close: one byte every 50 ms, forever.
//   reason-escape      404 whose reason phrase holds ESC sequences and BEL.
//   chunked-and-length Content-Length: 3 beside Transfer-Encoding: chunked (10 bytes).
//   coding-and-length  Transfer-Encoding: x-custom beside Content-Length: 3, 10 bytes, close.
//   chunk-overflow     a chunk size of 18 hex digits, then the connection stays open.
//   flood-line         one header line that never ends.
//   flood-many         header lines that never end.
//   flood-interim      "100 Continue" interim responses that never end.
//   flood-trailers     a last chunk, then trailer lines that never end.
//
// The server is bounded: at most 64 connections, 60 s of sending on any one, and 150 s in
// all (alarm). It exits when the test stops it (by its PID).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "hostile/attackers/attack_common.h"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int kMaxConnections = 64;
constexpr auto kMaxSending = 60s;

// The body the gzip modes carry, decoded: what a complete transfer must write.
std::string gzip_text() {
  std::string text;
  for (int i = 0; i < 300; ++i) text += "line " + std::to_string(i) + " of the body\n";
  return text;
}

std::uint32_t crc32(const std::string& data) {  // IEEE 802.3, bit by bit (RFC 1952 section 8).
  std::uint32_t crc = 0xFFFFFFFFU;
  for (const char c : data) {
    crc ^= static_cast<unsigned char>(c);
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320U & (0U - (crc & 1U)));
  }
  return ~crc;
}

void put_le(std::string& out, std::uint32_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((value >> (8 * i)) & 0xFF);
}

// A gzip member (RFC 1952) holding `data` in one stored deflate block (RFC 1951 section 3.2.4).
std::string gzip_stored(const std::string& data) {
  std::string out("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);
  out += '\x01';  // BFINAL=1, BTYPE=00 (stored).
  put_le(out, static_cast<std::uint32_t>(data.size()), 2);
  put_le(out, static_cast<std::uint32_t>(~data.size()) & 0xFFFF, 2);
  out += data;
  put_le(out, crc32(data), 4);
  put_le(out, static_cast<std::uint32_t>(data.size()), 4);
  return out;
}

int listen_on(const char* host, std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  ::inet_pton(AF_INET, host, &address.sin_addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(fd, 16) != 0) {
    soket::attack::fail(std::string("cannot listen on ") + host + ": " + std::strerror(errno));
  }
  return fd;
}

std::uint16_t port_of(int fd) {
  sockaddr_in address{};
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  return ntohs(address.sin_port);
}

// The request's head and its Content-Length body, at most 64 KiB, waiting at most 10 s.
std::string read_request(int fd) {
  std::string request;
  const auto deadline = Clock::now() + 10s;
  char buffer[4096];
  while (request.size() < 64 * 1024 && Clock::now() < deadline) {
    const auto head_end = request.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      std::size_t length = 0;
      const auto at = request.find("Content-Length: ");
      if (at != std::string::npos && at < head_end) length = std::stoul(request.substr(at + 16));
      if (request.size() >= head_end + 4 + length) break;
    }
    pollfd entry{fd, POLLIN, 0};
    if (::poll(&entry, 1, 1000) <= 0) continue;
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    request.append(buffer, static_cast<std::size_t>(n));
  }
  return request;
}

// Sends all of `bytes`; false once the client has gone (or after kMaxSending).
bool send_all(int fd, std::string_view bytes, Clock::time_point until) {
  while (!bytes.empty()) {
    if (Clock::now() > until) return false;
    pollfd entry{fd, POLLOUT, 0};
    if (::poll(&entry, 1, 500) <= 0) continue;
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Sends `head`, then `unit` again and again (every `pause`) until the client goes away.
void send_forever(int fd, const std::string& head, const std::string& unit,
                  std::chrono::milliseconds pause = 0ms) {
  const auto until = Clock::now() + kMaxSending;
  if (!send_all(fd, head, until)) return;
  while (send_all(fd, unit, until)) {
    if (pause > 0ms) std::this_thread::sleep_for(pause);  // The attack is the slowness.
  }
}

// Waits (bounded) for the client to close, so that a test sees the client's own verdict.
void wait_for_close(int fd) {
  const auto until = Clock::now() + kMaxSending;
  char buffer[4096];
  while (Clock::now() < until) {
    pollfd entry{fd, POLLIN, 0};
    if (::poll(&entry, 1, 500) <= 0) continue;
    if (::read(fd, buffer, sizeof buffer) <= 0) return;
  }
}

std::string ok_response() {
  return "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nhello\n";
}

struct Server {
  std::string mode;
  int origin = -1, other = -1;  // `other` serves the redirect's far end.
  std::uint16_t port = 0, other_port = 0;

  void serve(int fd, bool on_other) {
    const auto until = Clock::now() + kMaxSending;
    const std::string gzip = gzip_stored(gzip_text());
    const std::string half = gzip.substr(0, gzip.size() / 2);
    const bool start = !on_other && mode.rfind("redirect-", 0) == 0;
    if (start && mode == "redirect-host") {
      send_all(fd, redirect(307, "http://127.0.0.2:" + std::to_string(port) + "/final"), until);
    } else if (start && mode == "redirect-port") {
      send_all(fd, redirect(308, "http://127.0.0.1:" + std::to_string(other_port) + "/final"),
               until);
    } else if (start && mode == "redirect-same" && !same_served_) {
      same_served_ = true;
      send_all(fd, redirect(307, "/final"), until);
    } else if (mode == "gzip-close" || mode == "gzip-whole") {
      send_all(fd,
               "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nConnection: close\r\n\r\n" +
                   (mode == "gzip-close" ? half : gzip),
               until);
    } else if (mode == "gzip-length") {
      send_all(fd,
               "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " +
                   std::to_string(half.size()) + "\r\n\r\n" + half,
               until);
      wait_for_close(fd);
    } else if (mode == "endless") {
      send_forever(fd, "HTTP/1.1 200 OK\r\n\r\n", std::string(64 * 1024, 'z'));
    } else if (mode == "endless-redirect") {
      send_forever(fd, "HTTP/1.1 301 Moved\r\nLocation: /elsewhere\r\n\r\n",
                   std::string(64 * 1024, 'z'));
    } else if (mode == "endless-gzip") {
      // Header, then non-final stored blocks of length 0 (00 0000 ffff): each decodes to
      // nothing, so the client writes nothing however long this goes on.
      std::string empty_blocks;
      for (int i = 0; i < 8192; ++i) empty_blocks.append("\x00\x00\x00\xff\xff", 5);
      send_forever(fd,
                   "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n" +
                       std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10),
                   empty_blocks);
    } else if (mode == "trickle") {
      send_forever(fd, "HTTP/1.1 200 OK\r\n\r\n", "t", 50ms);
    } else if (mode == "reason-escape") {
      send_all(fd,
               "HTTP/1.1 404 Not\x1b]0;owned\x07 Found\x1b[2J\r\nX-Note: a\tb\r\n"
               "Content-Length: 0\r\n\r\n",
               until);
      wait_for_close(fd);
    } else if (mode == "chunked-and-length") {
      send_all(fd,
               "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
               "a\r\n0123456789\r\n0\r\n\r\n",
               until);
      wait_for_close(fd);
    } else if (mode == "coding-and-length") {
      send_all(fd,
               "HTTP/1.1 200 OK\r\nTransfer-Encoding: x-custom\r\nContent-Length: 3\r\n\r\n"
               "0123456789",
               until);
    } else if (mode == "chunk-overflow") {
      send_all(fd,
               "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
               "ffffffffffffffffff\r\nabc",
               until);
      wait_for_close(fd);
    } else if (mode == "flood-line") {
      send_forever(fd, "HTTP/1.1 200 OK\r\nX-Flood: ", std::string(4096, 'a'));
    } else if (mode == "flood-many") {
      send_forever(fd, "HTTP/1.1 200 OK\r\n", "X-Flood: again\r\n");
    } else if (mode == "flood-interim") {
      send_forever(fd, "", "HTTP/1.1 100 Continue\r\n\r\n");
    } else if (mode == "flood-trailers") {
      send_forever(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n",
                   "X-Trailer: again\r\n");
    } else if (mode == "retry-after-forever") {  // Come back in 3 * 10^19 s, and forever.
      send_all(fd,
               "HTTP/1.1 503 Busy\r\nRetry-After: 31709791983764586504\r\n"
               "Content-Length: 4\r\n\r\nbusy",
               until);
      wait_for_close(fd);
    } else if (mode == "retry-at-once") {  // Always busy, come back at once.
      send_all(fd, "HTTP/1.1 429 Slow Down\r\nRetry-After: 0\r\nContent-Length: 4\r\n\r\nslow",
               until);
      wait_for_close(fd);
    } else if (mode == "range-overlong") {  // The right start, but more bytes than it claims.
      send_all(fd,
               "HTTP/1.1 206 Partial\r\nContent-Range: bytes 100-109/200\r\n"
               "Content-Length: 50\r\n\r\n" +
                   std::string(50, 'L'),
               until);
      wait_for_close(fd);
    } else if (mode == "range-overlong-chunked") {  // The same, with no length to check first.
      send_all(fd,
               "HTTP/1.1 206 Partial\r\nContent-Range: bytes 100-109/200\r\n"
               "Transfer-Encoding: chunked\r\n\r\n32\r\n" +
                   std::string(50, 'L') + "\r\n0\r\n\r\n",
               until);
      wait_for_close(fd);
    } else {
      send_all(fd, ok_response(), until);
    }
  }

  static std::string redirect(int status, const std::string& location) {
    return "HTTP/1.1 " + std::to_string(status) + " Redirect\r\nLocation: " + location +
           "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  }

  bool same_served_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) soket::attack::usage("attack_http_server MODE LOGFILE");
  soket::attack::ignore_sigpipe();
  ::alarm(150);  // Whatever happens, this server is gone after 150 s.
  Server server;
  server.mode = argv[1];
  server.origin = listen_on("127.0.0.1", 0);
  server.port = port_of(server.origin);
  if (server.mode == "redirect-host") server.other = listen_on("127.0.0.2", server.port);
  if (server.mode == "redirect-port") server.other = listen_on("127.0.0.1", 0);
  if (server.other >= 0) server.other_port = port_of(server.other);
  std::printf("listening on 127.0.0.1:%u (tcp)\n", static_cast<unsigned>(server.port));
  std::fflush(stdout);
  std::ofstream log(argv[2], std::ios::app | std::ios::binary);
  for (int served = 0; served < kMaxConnections; ++served) {
    pollfd entries[2] = {{server.origin, POLLIN, 0}, {server.other, POLLIN, 0}};
    if (::poll(entries, server.other >= 0 ? 2 : 1, -1) <= 0) continue;
    const bool on_other = (entries[0].revents & POLLIN) == 0;
    sockaddr_in peer{};
    socklen_t length = sizeof peer;
    const int fd = ::accept4(on_other ? server.other : server.origin,
                             reinterpret_cast<sockaddr*>(&peer), &length, SOCK_CLOEXEC);
    if (fd < 0) continue;
    const std::string request = read_request(fd);
    log << "@@ " << (on_other && server.mode == "redirect-host" ? "127.0.0.2" : "127.0.0.1") << ":"
        << (on_other ? server.other_port : server.port) << "\n"
        << request << "\n";
    log.flush();
    server.serve(fd, on_other);
    ::shutdown(fd, SHUT_WR);
    ::close(fd);
  }
  return 0;
}
