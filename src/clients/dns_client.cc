#include "clients/dns_client.h"

#include <idn2.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

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

using Servers = std::vector<net::Address>;

Result<proto::dns::QuerySpec> spec_for(const DnsQuery& query, const DnsOptions& options) {
  auto id = random_id();
  if (!id) return id.error();
  return proto::dns::QuerySpec{*id,  query.name,   query.qtype,   options.recurse,
                               1232, query.qclass, options.dnssec};
}

// A reply is ours when it answers our ID and our question (RFC 5452 section 9.1).
bool answers(const Message& reply, const proto::dns::QuerySpec& spec) {
  return reply.header.qr && reply.header.id == spec.id && reply.questions.size() == 1 &&
         reply.questions[0].qtype == spec.qtype && reply.questions[0].qclass == spec.qclass &&
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

// Errors after which the next server is asked: it did not answer at all. A malformed reply
// or a connection closed mid-reply means the server answered, badly: that is the outcome.
bool next_server_may_answer(const std::error_code& error) {
  return error.category() != proto::dns::error_category() &&
         error.category() != dns_error_category();
}

// TCP from the start: each server in order, `tries` rounds, a refusing server dropped.
DnsOutcome query_tcp_only(const Servers& servers, const DnsQuery& query,
                          const DnsOptions& options) {
  const TimePoint start = Clock::now();
  DnsOutcome outcome;
  auto spec = spec_for(query, options);
  if (!spec) return {spec.error()};
  std::vector<bool> dead(servers.size(), false);
  bool timed_out = false;
  for (int round = 0; round < options.tries; ++round) {
    for (std::size_t i = 0; i < servers.size(); ++i) {
      if (dead[i]) continue;
      outcome.server = i;
      ++outcome.tries;
      outcome.response = query_tcp(servers[i], *spec, options);
      outcome.waited = Clock::now() - start;
      const auto& response = outcome.response;
      if (response || !next_server_may_answer(response.error())) return outcome;
      timed_out = timed_out || response.error() == std::errc::timed_out;
      dead[i] = response.error() != std::errc::timed_out;
    }
  }
  if (timed_out) outcome.response = make_error_code(std::errc::timed_out);
  return outcome;
}

// One UDP query in flight: its own socket (a fresh random port, connected to the server
// asked now), its query, its clock, and where it stands in the servers and rounds.
struct UdpExchange {
  std::size_t index = 0;
  net::Fd fd;
  std::size_t server = 0;  // The server asked now, and the one `fd` is connected to.
  int round = 0;
  int tries = 0;
  proto::dns::QuerySpec spec;
  std::vector<std::byte> request;
  TimePoint started, deadline;
  std::error_code malformed;  // What was wrong with a reply of our ID that did not parse.
  std::vector<bool> dead;     // Servers that refused (or could not be reached): not asked again.
  bool timed_out = false;     // Some server stayed silent through a whole try.
  std::error_code last_error;
};

DnsOutcome finish(const UdpExchange& e, Result<DnsResponse> response, bool in_tcp_retry = false) {
  return DnsOutcome{std::move(response), in_tcp_retry, e.server, Clock::now() - e.started, e.tries};
}

// Asks e.server: a fresh socket connected to it (the first try, or another server than the
// last), then the query; the try's deadline starts now.
Result<void> send_try(UdpExchange& e, const Servers& servers, const DnsOptions& options) {
  ++e.tries;
  e.deadline = Clock::now() + options.timeout;
  if (!e.fd.valid() || servers.size() > 1) {
    auto connected = net::connect_any({servers[e.server]}, net::Transport::udp, e.deadline);
    if (!connected) return connected.error();
    e.fd = std::move(connected->fd);
  }
  auto sent = net::try_write(e.fd.get(), e.request);
  if (!sent && !net::is_would_block(sent.error())) return sent.error();
  return {};
}

// After `error` from e.server (its try's timeout, its refusal), asks the next server in
// order, then starts the next round; a server that refused is skipped. Nullopt while a try
// is under way; else the outcome: a timeout if any server stayed silent, else the error.
std::optional<DnsOutcome> next_try(UdpExchange& e, const Servers& servers,
                                   const DnsOptions& options, std::error_code error) {
  for (std::size_t step = 0; step < servers.size() * static_cast<std::size_t>(options.tries);
       ++step) {
    e.last_error = error;
    if (error == std::errc::timed_out) {
      e.timed_out = true;
    } else {
      e.dead[e.server] = true;
    }
    if (std::all_of(e.dead.begin(), e.dead.end(), [](bool d) { return d; })) break;
    if (++e.server == servers.size()) {
      e.server = 0;
      if (++e.round >= options.tries) break;
    }
    if (e.dead[e.server]) {
      error = e.last_error;
      continue;
    }
    auto sent = send_try(e, servers, options);
    if (sent) return std::nullopt;
    error = sent.error();
  }
  return finish(e, e.timed_out ? make_error_code(std::errc::timed_out) : e.last_error);
}

Result<UdpExchange> start_udp(const DnsQuery& query, const Servers& servers,
                              const DnsOptions& options, std::size_t index) {
  UdpExchange e;
  e.index = index;
  auto spec = spec_for(query, options);
  if (!spec) return spec.error();
  e.spec = std::move(*spec);
  auto request = proto::dns::build_query(e.spec);
  if (!request) return request.error();
  e.request = std::move(*request);
  e.dead.assign(servers.size(), false);
  e.started = Clock::now();
  return e;
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
// nothing that ends the query has come (the wait goes on). A refusal (ICMP port unreachable
// on the connected socket) moves on to the next server at once.
std::optional<DnsOutcome> take_reply(UdpExchange& e, const Servers& servers,
                                     const DnsOptions& options) {
  const net::Address& server = servers[e.server];
  for (int read = 0; read < kMaxDatagramsPerWake; ++read) {
    if (read > 0 && Clock::now() >= e.deadline) return std::nullopt;
    std::byte datagram[65536];
    net::Address from;
    auto n = net::try_receive_from(e.fd.get(), datagram, from);
    if (!n) {
      if (net::is_would_block(n.error())) return std::nullopt;
      return next_try(e, servers, options, n.error());
    }
    if (!(from == server)) continue;  // Not from the server's address and port: ignored.
    auto reply = our_reply(std::span(datagram, *n), e.spec);
    if (!reply) continue;
    if (!*reply) {
      e.malformed = reply->error();
      continue;
    }
    if (reply->value().header.tc && !options.tcp) {
      auto retried = query_tcp(server, e.spec, options);
      if (retried) retried->retried_over_tcp = true;
      return finish(e, std::move(retried), /*in_tcp_retry=*/true);
    }
    return finish(e, DnsResponse{std::move(*reply).value(), net::Transport::udp,
                                 Clock::now() - e.started, *n, false});
  }
  return std::nullopt;
}

TimePoint soonest_deadline(const std::vector<UdpExchange>& active) {
  TimePoint soonest = TimePoint::max();
  for (const auto& e : active) soonest = std::min(soonest, e.deadline);
  return soonest;
}

// What becomes of `e` once its try's deadline passed: nullopt while another try is under
// way, else its outcome.
std::optional<DnsOutcome> on_try_expired(UdpExchange& e, const Servers& servers,
                                         const DnsOptions& options) {
  if (e.malformed) return finish(e, e.malformed);  // The server answered, badly.
  return next_try(e, servers, options, make_error_code(std::errc::timed_out));
}

// Starts queries from `next` on until `concurrency` are in flight; one that cannot start (no
// socket, no server left to ask) gets its outcome now. Returns the next query to start.
std::size_t start_more(const Servers& servers, const std::vector<DnsQuery>& queries,
                       std::size_t next, const DnsOptions& options, int concurrency,
                       std::vector<UdpExchange>& active, std::vector<DnsOutcome>& outcomes) {
  for (; static_cast<int>(active.size()) < concurrency && next < queries.size(); ++next) {
    auto e = start_udp(queries[next], servers, options, next);
    if (!e) {
      outcomes[next] = {e.error()};
      continue;
    }
    auto sent = send_try(*e, servers, options);
    std::optional<DnsOutcome> done;
    if (!sent) done = next_try(*e, servers, options, sent.error());
    if (done) {
      outcomes[next] = std::move(*done);
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
  auto outcomes = query_dns_many({server}, {query}, options, 1);
  return std::move(outcomes.front().response);
}

std::vector<DnsOutcome> query_dns_many(const std::vector<net::Address>& servers,
                                       const std::vector<DnsQuery>& queries,
                                       const DnsOptions& options, int concurrency) {
  std::vector<DnsOutcome> outcomes(queries.size());
  if (servers.empty()) {
    for (auto& outcome : outcomes) outcome = {make_error_code(std::errc::address_not_available)};
    return outcomes;
  }
  if (options.tcp) {
    for (std::size_t i = 0; i < queries.size(); ++i) {
      outcomes[i] = query_tcp_only(servers, queries[i], options);
    }
    return outcomes;
  }
  std::vector<UdpExchange> active;
  std::size_t next = 0;
  while (next < queries.size() || !active.empty()) {
    next = start_more(servers, queries, next, options, concurrency, active, outcomes);
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
      const int tries = e.tries;
      if (fds[i].revents != 0) done = take_reply(e, servers, options);
      // A refusal that moved on to another server has a fresh try, with its own deadline.
      if (!done && e.tries == tries && Clock::now() >= e.deadline) {
        done = on_try_expired(e, servers, options);
      }
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

}  // namespace soket::clients
