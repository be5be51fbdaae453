// attack_dns_server: a malicious DNS server, for `soket dns` to query. It serves UDP and TCP on
// one loopback port and answers every query the way its MODE says, which no real server does:
//
//   spoof-then-real  short datagrams (1, 2 and 11 bytes), a reply with another ID, one for
//                    another question, one with our ID that does not parse, then the real
//                    reply (A 192.0.2.7): the client must take the real one
//   pointer-loop | pointer-forward | rdlength-overrun | huge-counts | bad-label | long-name
//                    only that malformed reply (over UDP and over TCP)
//   caa-escape       a CAA record whose tag holds a line end and a terminal escape sequence
//   tc-close         a truncated (TC) UDP reply; the TCP retry is closed once its query is in
//   tc-reset         the same, the TCP retry reset (RST) at once
//   tc-close-mid     the same, the TCP reply cut off after its first 10 of 100 bytes
//   tc-trickle       the same, the TCP reply trickled one byte every 50 ms, forever
//   flood            no reply; datagrams with another ID flooded at the client instead
//   flood-costly     no good reply; replies with our ID for another question flooded instead,
//                    each of 3,000 records with a 255-byte owner of escaped bytes, so each
//                    costs the client a long parse and the client's socket never runs dry
//
// It prints `listening on 127.0.0.1:PORT` once both sockets are bound, then serves until
// killed or until LIFETIME seconds (default 60) have passed. On exit it prints what it did.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "core/byte_reader.h"
#include "core/byte_writer.h"
#include "hostile/attackers/attack_common.h"
#include "net/socket_ops.h"

namespace {

using namespace soket;
using Bytes = std::vector<std::byte>;

struct Query {
  std::uint16_t id = 0;
  Bytes question;  // The name, QTYPE and QCLASS, as they came.
};

// The ID and question of a query (no pointers in a query; anything else is ignored).
std::optional<Query> read_query(std::span<const std::byte> bytes) {
  ByteReader r(bytes);
  const auto id = r.u16_be();
  if (!id || !r.skip(10)) return std::nullopt;
  for (int labels = 0; labels < 128; ++labels) {
    const auto length = r.u8();
    if (!length || *length > 63) return std::nullopt;
    if (*length == 0) {
      if (!r.skip(4)) return std::nullopt;
      return Query{*id, Bytes(bytes.begin() + 12, bytes.begin() + r.position())};
    }
    if (!r.skip(*length)) return std::nullopt;
  }
  return std::nullopt;
}

// A reply header: QR RD RA (and TC when asked), one question, `ancount` answers.
ByteWriter reply_head(std::uint16_t id, std::uint16_t ancount, bool tc = false) {
  ByteWriter w;
  w.u16_be(id);
  w.u16_be(tc ? 0x8380 : 0x8180);
  w.u16_be(1);
  w.u16_be(ancount);
  w.u16_be(0);
  w.u16_be(0);
  return w;
}

// An answer owned by the question's name (a pointer to offset 12).
void a_record(ByteWriter& w, std::initializer_list<int> address, int rdlength = 4) {
  w.u16_be(0xC00C);
  w.u16_be(1);
  w.u16_be(1);
  w.u32_be(60);
  w.u16_be(static_cast<std::uint16_t>(rdlength));
  for (int b : address) w.u8(static_cast<std::uint8_t>(b));
}

Bytes good_reply(const Query& q, std::uint16_t id, std::initializer_list<int> address) {
  ByteWriter w = reply_head(id, 1);
  w.append(q.question);
  a_record(w, address);
  return w.take();
}

// The one malformed reply of a malformed MODE; empty when MODE is not one of them.
Bytes malformed_reply(const std::string& mode, const Query& q) {
  ByteWriter w = reply_head(q.id, mode == "huge-counts" ? 65535 : 1);
  w.append(q.question);
  if (mode == "pointer-loop") {  // An answer's name that is a pointer to itself.
    w.u16_be(static_cast<std::uint16_t>(0xC000 | w.size()));
    w.u16_be(1);
    w.u16_be(1);
    w.u32_be(60);
    w.u16_be(0);
  } else if (mode == "pointer-forward") {  // A CNAME whose target points past itself.
    w.u16_be(0xC00C);
    w.u16_be(5);
    w.u16_be(1);
    w.u32_be(60);
    w.u16_be(2);
    w.u16_be(static_cast<std::uint16_t>(0xC000 | (w.size() + 8)));
    a_record(w, {1, 2, 3, 4});
  } else if (mode == "rdlength-overrun") {
    a_record(w, {1, 2, 3, 4}, 4000);
  } else if (mode == "huge-counts") {  // 65,535 answers promised, one there.
    a_record(w, {1, 2, 3, 4});
  } else if (mode == "bad-label") {  // Label type 01 (reserved).
    w.u8(0x41);
    w.u8('x');
  } else if (mode == "caa-escape") {  // A tag that would recolour a terminal and fake a line.
    const std::string tag = "issue\n\x1b[31mforged\x1b[0m";
    w.u16_be(0xC00C);
    w.u16_be(257);
    w.u16_be(1);
    w.u32_be(60);
    w.u16_be(static_cast<std::uint16_t>(2 + tag.size() + 3));
    w.u8(0);
    w.u8(static_cast<std::uint8_t>(tag.size()));
    w.append(std::as_bytes(std::span(tag.data(), tag.size())));
    w.append(std::as_bytes(std::span("x.y", 3)));
  } else if (mode == "long-name") {  // Five labels of 63: over 255 bytes.
    for (int i = 0; i < 5; ++i) {
      w.u8(63);
      w.zeros(63);
    }
    w.u8(0);
    w.u16_be(1);
    w.u16_be(1);
    w.u32_be(60);
    w.u16_be(0);
  } else {
    return {};
  }
  return w.take();
}

void send_datagram(int fd, std::span<const std::byte> bytes, const net::Address& to) {
  (void)net::try_send_to(fd, bytes, to);  // A full socket buffer only drops one datagram.
}

struct Server {
  std::string mode;
  net::Fd udp, listener, tcp;  // tcp: the connection of a trickle in progress.
  std::vector<std::byte> trickle;
  std::size_t trickled = 0;
  long sent = 0, flooded = 0, connections = 0;
};

// Replies with our ID that are cheap to send and dear to parse: 3,000 records whose owner is
// a pointer to a 255-byte name of bytes that each print as \DDD. Each parses, and only then
// shows it answers another question. Sent as fast as the socket takes them.
void send_costly_flood(Server& s, const Query& q, const net::Address& from, TimePoint stop) {
  ByteWriter w = reply_head(q.id, 3000);
  w.append(Bytes{std::byte{4}, std::byte{'e'}, std::byte{'v'}, std::byte{'i'}, std::byte{'l'},
                 std::byte{0}});  // Another question ("evil.", same type and class).
  w.append(std::span(q.question).last(4));
  const auto name_at = static_cast<std::uint16_t>(w.size());
  for (const std::size_t length : {63, 63, 63, 61}) {
    w.u8(static_cast<std::uint8_t>(length));
    for (std::size_t i = 0; i < length; ++i) w.u8(1);
  }
  w.u8(0);
  for (int i = 0; i < 3000; ++i) {
    if (i > 0) w.u16_be(static_cast<std::uint16_t>(0xC000 | name_at));
    w.u16_be(1);
    w.u16_be(1);
    w.u32_be(60);
    w.u16_be(4);
    w.u32_be(0xC0000201);
  }
  const Bytes junk = w.take();
  const TimePoint until = std::min(stop, Clock::now() + std::chrono::seconds(20));
  while (Clock::now() < until) {
    for (int i = 0; i < 16; ++i, ++s.flooded) send_datagram(s.udp.get(), junk, from);
  }
}

void answer_udp(Server& s, const Query& q, const net::Address& from, TimePoint stop) {
  const int fd = s.udp.get();
  if (s.mode == "spoof-then-real") {
    const Bytes id_bytes = {std::byte(q.id >> 8), std::byte(q.id & 0xFF)};
    send_datagram(fd, Bytes{std::byte{0}}, from);
    send_datagram(fd, id_bytes, from);
    Bytes eleven = good_reply(q, q.id, {9, 9, 9, 9});
    eleven.resize(11);
    send_datagram(fd, eleven, from);
    send_datagram(fd, good_reply(q, static_cast<std::uint16_t>(q.id + 1), {6, 6, 6, 6}), from);
    Query other = q;  // The same ID, another question ("evil." with the same type).
    other.question = {std::byte{4},   std::byte{'e'}, std::byte{'v'},
                      std::byte{'i'}, std::byte{'l'}, std::byte{0}};
    other.question.insert(other.question.end(), q.question.end() - 4, q.question.end());
    send_datagram(fd, good_reply(other, q.id, {8, 8, 8, 8}), from);
    send_datagram(fd, malformed_reply("pointer-loop", q), from);
    send_datagram(fd, good_reply(q, q.id, {192, 0, 2, 7}), from);
    s.sent += 7;
  } else if (s.mode.rfind("tc-", 0) == 0) {
    ByteWriter w = reply_head(q.id, 0, /*tc=*/true);
    w.append(q.question);
    send_datagram(fd, w.bytes(), from);
    ++s.sent;
  } else if (s.mode == "flood") {
    Bytes junk = good_reply(q, static_cast<std::uint16_t>(q.id ^ 0x5A5A), {6, 6, 6, 6});
    const TimePoint until = std::min(stop, Clock::now() + std::chrono::seconds(20));
    while (Clock::now() < until) {  // Bounded in time; a full buffer just drops.
      for (int i = 0; i < 256; ++i, ++s.flooded) send_datagram(fd, junk, from);
    }
  } else if (s.mode == "flood-costly") {
    send_costly_flood(s, q, from, stop);
  } else if (auto bad = malformed_reply(s.mode, q); !bad.empty()) {
    send_datagram(fd, bad, from);
    ++s.sent;
  }
}

// Reads one TCP query (bounded wait) and answers it the way the mode says.
void serve_tcp(Server& s) {
  auto accepted = net::try_accept(s.listener.get());
  if (!accepted) return;
  ++s.connections;
  net::Fd conn = std::move(accepted->fd);
  if (s.mode == "tc-reset") {  // Closed with a RST at once: SO_LINGER of 0.
    const linger hard{1, 0};
    ::setsockopt(conn.get(), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    return;
  }
  std::byte buffer[1024];
  std::size_t have = 0;
  const TimePoint until = Clock::now() + std::chrono::seconds(5);
  std::optional<Query> q;
  while (!q && Clock::now() < until && have < sizeof buffer) {
    pollfd p{conn.get(), POLLIN, 0};
    ::poll(&p, 1, 100);
    auto got = net::try_read(conn.get(), std::span(buffer).subspan(have));
    if (got && *got == 0) return;
    if (got) have += *got;
    if (have > 2) q = read_query(std::span(buffer, have).subspan(2));
  }
  // Closed with a FIN as soon as the query is read: closing with the query unread would send
  // a RST instead, and which of the two the client saw would depend on timing.
  if (!q || s.mode == "tc-close") return;
  Bytes reply = s.mode == "tc-close-mid" ? Bytes(100) : malformed_reply(s.mode, *q);
  if (s.mode == "tc-trickle") reply = Bytes(65533);
  ByteWriter framed;
  framed.u16_be(static_cast<std::uint16_t>(reply.size()));
  framed.append(reply);
  Bytes bytes = framed.take();
  if (s.mode == "tc-close-mid") bytes.resize(12);  // The length and 10 of 100 bytes.
  if (s.mode == "tc-trickle") {
    s.tcp = std::move(conn);
    s.trickle = std::move(bytes);
    s.trickled = 0;
    return;
  }
  (void)net::try_write(conn.get(), bytes);
}

void run(Server& s, TimePoint stop) {
  while (Clock::now() < stop) {
    pollfd fds[2] = {{s.udp.get(), POLLIN, 0}, {s.listener.get(), POLLIN, 0}};
    ::poll(fds, 2, 50);
    if (s.tcp.valid() && s.trickled < s.trickle.size()) {  // One byte per 50 ms tick.
      auto wrote = net::try_write(s.tcp.get(), std::span(s.trickle).subspan(s.trickled, 1));
      if (wrote) {
        s.trickled += *wrote;
      } else if (!net::is_would_block(wrote.error())) {
        s.tcp.reset();
      }
    }
    if (fds[1].revents & POLLIN) serve_tcp(s);
    if (!(fds[0].revents & POLLIN)) continue;
    std::byte datagram[4096];
    net::Address from;
    *from.length_slot() = net::Address::kCapacity;
    const ssize_t n =
        ::recvfrom(s.udp.get(), datagram, sizeof datagram, 0, from.data(), from.length_slot());
    if (n <= 0) continue;
    if (auto q = read_query(std::span(datagram, static_cast<std::size_t>(n)))) {
      answer_udp(s, *q, from, stop);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) attack::usage("attack_dns_server MODE [LIFETIME_SECONDS]");
  attack::ignore_sigpipe();
  Server s;
  s.mode = argv[1];
  const int lifetime = argc == 3 ? std::atoi(argv[2]) : 60;
  for (int attempt = 0; attempt < 20 && !s.listener.valid(); ++attempt) {
    auto udp = net::open_bound_datagram(net::Address::parse("127.0.0.1", 0).value(), {});
    if (!udp) attack::fail("cannot bind a UDP socket: " + udp.error().message());
    const auto port = net::local_address(udp->get())->port();
    auto listener = net::open_listener(net::Address::parse("127.0.0.1", port).value(), {}, 16);
    if (!listener) continue;  // That port's TCP side is taken: try another.
    s.udp = std::move(*udp);
    s.listener = std::move(*listener);
  }
  if (!s.listener.valid()) attack::fail("no port free for both UDP and TCP");
  std::printf("listening on 127.0.0.1:%u\n", net::local_address(s.udp.get())->port());
  std::fflush(stdout);
  run(s, Clock::now() + std::chrono::seconds(lifetime));
  std::printf("sent %ld replies, flooded %ld datagrams, %ld TCP connections, trickled %zu bytes\n",
              s.sent, s.flooded, s.connections, s.trickled);
  return 0;
}
