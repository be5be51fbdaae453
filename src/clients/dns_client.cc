#include "clients/dns_client.h"

#include <idn2.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>

#include "core/error_category.h"
#include "net/deadline_io.h"
#include "net/socket_ops.h"
#include "proto/dns/names.h"
#include "proto/dns/parser.h"
#include "proto/dns/query.h"
#include "proto/dns/tcp_framer.h"

namespace soket::clients {
namespace {

using proto::dns::Message;

const char* describe(dns_errc code) {
  switch (code) {
    case dns_errc::closed_before_reply:
      return "the server closed the connection before its reply";
    case dns_errc::closed_mid_reply:
      return "the server closed the connection in the middle of its reply";
  }
  return "DNS exchange failed";
}

// getrandom(2) of two bytes does not fail short on Linux; the bound is for a kernel without it.
Result<std::uint16_t> random_id() {
  std::uint16_t id = 0;
  for (int attempt = 0; attempt < 8; ++attempt) {
    if (::getrandom(&id, sizeof id, 0) == static_cast<ssize_t>(sizeof id)) return id;
    if (errno != EINTR) return last_system_error();
  }
  return std::make_error_code(std::errc::interrupted);
}

Result<proto::dns::QuerySpec> spec_for(const DnsQuery& query, const DnsOptions& options) {
  auto id = random_id();
  if (!id) return id.error();
  return proto::dns::QuerySpec{*id, query.name, query.qtype, options.recurse, 1232};
}

// A reply is ours when it answers our ID and our question (RFC 5452 section 9.1).
bool answers(const Message& reply, const proto::dns::QuerySpec& spec) {
  return reply.header.qr && reply.header.id == spec.id && reply.questions.size() == 1 &&
         reply.questions[0].qtype == spec.qtype &&
         proto::dns::same_name(reply.questions[0].name, spec.name);
}

// Reads one length-prefixed message (RFC 1035 section 4.2.2). The deadline is the whole
// exchange's: a server that trickles its reply a byte at a time is cut off there.
Result<std::vector<std::byte>> read_tcp_reply(int fd, TimePoint deadline) {
  proto::dns::TcpFramer framer;
  while (!framer.complete()) {
    std::byte chunk[4096];
    auto got = net::read_some(fd, std::span(chunk).first(std::min(sizeof chunk, framer.wanted())),
                              deadline);
    if (!got) return got.error();
    if (*got == 0) {
      return make_error_code(framer.received() == 0 ? dns_errc::closed_before_reply
                                                    : dns_errc::closed_mid_reply);
    }
    framer.feed(std::span(chunk).first(*got));
  }
  const auto message = framer.message();
  return std::vector<std::byte>(message.begin(), message.end());
}

// DNS over TCP (RFC 1035 section 4.2.2, RFC 7766): a 2-byte length, then the message.
Result<DnsResponse> query_tcp(const net::Address& server, const proto::dns::QuerySpec& spec,
                              const DnsOptions& options) {
  const TimePoint start = Clock::now(), deadline = start + options.timeout;
  auto request = proto::dns::build_tcp_query(spec);
  if (!request) return request.error();
  auto connected = net::connect_any({server}, net::Transport::tcp, deadline);
  if (!connected) return connected.error();
  const int fd = connected->fd.get();
  if (auto sent = net::write_all(fd, *request, deadline); !sent) return sent.error();
  auto reply = read_tcp_reply(fd, deadline);
  if (!reply) return reply.error();
  auto message = proto::dns::parse_message(*reply);
  if (!message) return message.error();
  if (!answers(*message, spec)) return make_error_code(proto::dns::errc::wrong_reply);
  return DnsResponse{std::move(*message), net::Transport::tcp, Clock::now() - start, reply->size(),
                     false};
}

DnsOutcome query_tcp_only(const net::Address& server, const DnsQuery& query,
                          const DnsOptions& options) {
  auto spec = spec_for(query, options);
  if (!spec) return {spec.error()};
  return {query_tcp(server, *spec, options)};
}

// One UDP query in flight: its own socket (a fresh random port), its query, its clock.
struct UdpExchange {
  std::size_t index = 0;
  net::Fd fd;
  proto::dns::QuerySpec spec;
  std::vector<std::byte> request;
  int tries_left = 0;
  TimePoint started, deadline;
  std::error_code malformed;  // What was wrong with a reply of our ID that did not parse.
};

Result<UdpExchange> start_udp(const net::Address& server, const DnsQuery& query,
                              const DnsOptions& options, std::size_t index) {
  UdpExchange e;
  e.index = index;
  auto spec = spec_for(query, options);
  if (!spec) return spec.error();
  e.spec = std::move(*spec);
  auto request = proto::dns::build_query(e.spec);
  if (!request) return request.error();
  e.request = std::move(*request);
  auto fd = net::open_socket(server.family(), SOCK_DGRAM);
  if (!fd) return fd.error();
  e.fd = std::move(*fd);
  e.tries_left = options.tries;
  e.started = Clock::now();
  return e;
}

Result<void> send_try(UdpExchange& e, const net::Address& server, const DnsOptions& options) {
  --e.tries_left;
  e.deadline = Clock::now() + options.timeout;
  auto sent = net::try_send_to(e.fd.get(), e.request, server);
  if (!sent && !net::is_would_block(sent.error())) return sent.error();
  return {};
}

// The reply of our query in `bytes`, if it is one. Nullopt: not ours, ignored (too short to
// be a reply, a query, another ID, another question). An error: it carries our ID but does
// not parse (the caller remembers it and waits on).
std::optional<Result<Message>> our_reply(std::span<const std::byte> bytes,
                                         const proto::dns::QuerySpec& spec) {
  auto header = proto::dns::parse_header(bytes);
  if (!header || !header->qr || header->id != spec.id) return std::nullopt;
  auto message = proto::dns::parse_message(bytes);
  if (!message) return Result<Message>(message.error());
  if (!answers(*message, spec)) return std::nullopt;
  return message;
}

// Reads what has arrived: at most kMaxDatagramsPerWake datagrams, and none once the try's
// deadline has passed (a datagram may be dear to parse: thousands of records). Nullopt while
// nothing that ends the query has come (the wait goes on).
std::optional<DnsOutcome> take_reply(UdpExchange& e, const net::Address& server,
                                     const DnsOptions& options) {
  for (int read = 0; read < kMaxDatagramsPerWake; ++read) {
    if (read > 0 && Clock::now() >= e.deadline) return std::nullopt;
    std::byte datagram[65536];
    net::Address from;
    auto n = net::try_receive_from(e.fd.get(), datagram, from);
    if (!n) {
      if (net::is_would_block(n.error())) return std::nullopt;
      return DnsOutcome{n.error()};
    }
    if (!(from == server)) continue;  // Not from the server's address and port: ignored.
    auto reply = our_reply(std::span(datagram, *n), e.spec);
    if (!reply) continue;
    if (!*reply) {
      e.malformed = reply->error();
      continue;
    }
    if (reply->value().header.tc && !options.tcp) {
      DnsOutcome retried{query_tcp(server, e.spec, options), true};
      if (retried.response) retried.response->retried_over_tcp = true;
      return retried;
    }
    return DnsOutcome{DnsResponse{std::move(*reply).value(), net::Transport::udp,
                                  Clock::now() - e.started, *n, false}};
  }
  return std::nullopt;
}

TimePoint soonest_deadline(const std::vector<UdpExchange>& active) {
  TimePoint soonest = TimePoint::max();
  for (const auto& e : active) soonest = std::min(soonest, e.deadline);
  return soonest;
}

// What becomes of `e` once its try's deadline passed: nullopt while it has tries left (sent
// again), else its outcome.
std::optional<DnsOutcome> on_try_expired(UdpExchange& e, const net::Address& server,
                                         const DnsOptions& options) {
  if (e.malformed) return DnsOutcome{e.malformed};  // The server answered, badly.
  if (e.tries_left == 0) return DnsOutcome{make_error_code(std::errc::timed_out)};
  if (auto sent = send_try(e, server, options); !sent) return DnsOutcome{sent.error()};
  return std::nullopt;
}

// Starts queries from `next` on until `concurrency` are in flight; one that cannot start (no
// socket, a send that fails at once) gets its outcome now. Returns the next query to start.
std::size_t start_more(const net::Address& server, const std::vector<DnsQuery>& queries,
                       std::size_t next, const DnsOptions& options, int concurrency,
                       std::vector<UdpExchange>& active, std::vector<DnsOutcome>& outcomes) {
  for (; static_cast<int>(active.size()) < concurrency && next < queries.size(); ++next) {
    auto e = start_udp(server, queries[next], options, next);
    if (!e) {
      outcomes[next] = {e.error()};
    } else if (auto sent = send_try(*e, server, options); !sent) {
      outcomes[next] = {sent.error()};
    } else {
      active.push_back(std::move(*e));
    }
  }
  return next;
}

}  // namespace

const std::error_category& dns_error_category() {
  static const EnumErrorCategory<dns_errc> category("dns-client", describe);
  return category;
}

std::error_code make_error_code(dns_errc e) {
  return {static_cast<int>(e), dns_error_category()};
}

Result<DnsResponse> query_dns(const net::Address& server, const DnsQuery& query,
                              const DnsOptions& options) {
  auto outcomes = query_dns_many(server, {query}, options, 1);
  return std::move(outcomes.front().response);
}

std::vector<DnsOutcome> query_dns_many(const net::Address& server,
                                       const std::vector<DnsQuery>& queries,
                                       const DnsOptions& options, int concurrency) {
  std::vector<DnsOutcome> outcomes(queries.size());
  if (options.tcp) {
    for (std::size_t i = 0; i < queries.size(); ++i) {
      outcomes[i] = query_tcp_only(server, queries[i], options);
    }
    return outcomes;
  }
  std::vector<UdpExchange> active;
  std::size_t next = 0;
  while (next < queries.size() || !active.empty()) {
    next = start_more(server, queries, next, options, concurrency, active, outcomes);
    if (active.empty()) continue;  // Every one started failed at once: nothing to wait for.
    std::vector<pollfd> fds;
    for (const auto& e : active) fds.push_back({e.fd.get(), POLLIN, 0});
    if (auto ready = net::wait_any(fds, soonest_deadline(active)); !ready) {
      for (const auto& e : active) outcomes[e.index] = {ready.error()};
      active.clear();
      continue;
    }
    std::vector<UdpExchange> still;
    for (std::size_t i = 0; i < active.size(); ++i) {
      auto& e = active[i];
      std::optional<DnsOutcome> done;
      if (fds[i].revents != 0) done = take_reply(e, server, options);
      if (!done && Clock::now() >= e.deadline) done = on_try_expired(e, server, options);
      if (done) {
        outcomes[e.index] = std::move(*done);
      } else {
        still.push_back(std::move(e));
      }
    }
    active = std::move(still);
  }
  return outcomes;
}

Result<std::string> to_ascii_name(std::string_view name) {
  if (std::all_of(name.begin(), name.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    return std::string(name);
  }
  char* ascii = nullptr;
  const std::string input(name);
  const int status = ::idn2_to_ascii_8z(input.c_str(), &ascii, IDN2_NONTRANSITIONAL);
  if (status != IDN2_OK) return std::make_error_code(std::errc::invalid_argument);
  std::string out(ascii);
  ::idn2_free(ascii);
  return out;
}

std::optional<std::string> system_nameserver() {
  std::ifstream file("/etc/resolv.conf");
  for (std::string line; std::getline(file, line);) {
    std::istringstream words(line);
    std::string keyword, address;
    if (words >> keyword >> address && keyword == "nameserver") return address;
  }
  return std::nullopt;
}

}  // namespace soket::clients
