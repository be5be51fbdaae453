#include "clients/dns_client.h"

#include <idn2.h>
#include <poll.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "net/deadline_io.h"
#include "net/socket_ops.h"
#include "proto/dns/names.h"
#include "proto/dns/parser.h"
#include "proto/dns/query.h"

namespace soket::clients {
namespace {

using proto::dns::Message;

std::uint16_t random_id() {
  std::uint16_t id = 0;
  while (::getrandom(&id, sizeof id, 0) != static_cast<ssize_t>(sizeof id)) {
  }
  return id;
}

proto::dns::QuerySpec spec_for(const DnsQuery& query, const DnsOptions& options) {
  return {random_id(), query.name, query.qtype, options.recurse, 1232};
}

// A reply is ours when it answers our ID and our question (RFC 5452 section 9.1).
bool answers(const Message& reply, const proto::dns::QuerySpec& spec) {
  return reply.header.qr && reply.header.id == spec.id && reply.questions.size() == 1 &&
         reply.questions[0].qtype == spec.qtype &&
         proto::dns::same_name(reply.questions[0].name, spec.name);
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
  std::vector<std::byte> reply;
  std::size_t wanted = 2;
  while (reply.size() < wanted) {
    std::byte chunk[4096];
    auto got = net::read_some(
        fd, std::span(chunk).first(std::min(sizeof chunk, wanted - reply.size())), deadline);
    if (!got) return got.error();
    if (*got == 0) return make_error_code(proto::dns::errc::truncated);
    reply.insert(reply.end(), chunk, chunk + *got);
    if (wanted == 2 && reply.size() == 2) {
      wanted = 2 + ((std::to_integer<std::size_t>(reply[0]) << 8) |
                    std::to_integer<std::size_t>(reply[1]));
    }
  }
  auto message = proto::dns::parse_message(std::span(reply).subspan(2));
  if (!message) return message.error();
  if (!answers(*message, spec)) return make_error_code(proto::dns::errc::wrong_reply);
  return DnsResponse{std::move(*message), net::Transport::tcp, Clock::now() - start,
                     reply.size() - 2, false};
}

// One UDP query in flight: its own socket (a fresh random port), its query, its clock.
struct UdpExchange {
  std::size_t index = 0;
  net::Fd fd;
  proto::dns::QuerySpec spec;
  std::vector<std::byte> request;
  int tries_left = 0;
  TimePoint started, deadline;
};

Result<UdpExchange> start_udp(const net::Address& server, const DnsQuery& query,
                              const DnsOptions& options, std::size_t index) {
  UdpExchange e;
  e.index = index;
  e.spec = spec_for(query, options);
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

// Reads what has arrived. Nullopt while nothing that counts has come (the wait goes on).
std::optional<Result<DnsResponse>> take_reply(UdpExchange& e, const net::Address& server,
                                              const DnsOptions& options) {
  for (;;) {
    std::byte datagram[65536];
    net::Address from;
    *from.length_slot() = net::Address::kCapacity;
    const ssize_t n =
        ::recvfrom(e.fd.get(), datagram, sizeof datagram, 0, from.data(), from.length_slot());
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return std::nullopt;
      return Result<DnsResponse>(last_system_error());  // ICMP unreachable: ECONNREFUSED.
    }
    if (!(from == server)) continue;  // Not from the server's address and port: ignored.
    const auto bytes = std::span(datagram, static_cast<std::size_t>(n));
    auto header = proto::dns::parse_header(bytes);
    if (!header) return Result<DnsResponse>(header.error());
    if (header->id != e.spec.id || !header->qr) continue;  // Not our ID: ignored.
    auto message = proto::dns::parse_message(bytes);
    if (!message) return Result<DnsResponse>(message.error());
    if (!answers(*message, e.spec)) continue;  // Another question: ignored.
    if (message->header.tc && !options.tcp) {
      auto over_tcp = query_tcp(server, e.spec, options);
      if (over_tcp) over_tcp->retried_over_tcp = true;
      return over_tcp;
    }
    return Result<DnsResponse>(DnsResponse{std::move(*message), net::Transport::udp,
                                           Clock::now() - e.started, static_cast<std::size_t>(n),
                                           false});
  }
}

int poll_timeout_ms(const std::vector<UdpExchange>& active) {
  TimePoint soonest = TimePoint::max();
  for (const auto& e : active) soonest = std::min(soonest, e.deadline);
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(soonest - Clock::now());
  return static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(left.count(), 0, 60'000));
}

}  // namespace

Result<DnsResponse> query_dns(const net::Address& server, const DnsQuery& query,
                              const DnsOptions& options) {
  auto results = query_dns_many(server, {query}, options, 1);
  return std::move(results.front());
}

std::vector<Result<DnsResponse>> query_dns_many(const net::Address& server,
                                                const std::vector<DnsQuery>& queries,
                                                const DnsOptions& options, int concurrency) {
  std::vector<Result<DnsResponse>> results(queries.size(),
                                           make_error_code(std::errc::operation_canceled));
  if (options.tcp) {
    for (std::size_t i = 0; i < queries.size(); ++i) {
      results[i] = query_tcp(server, spec_for(queries[i], options), options);
    }
    return results;
  }
  std::vector<UdpExchange> active;
  std::size_t next = 0;
  while (next < queries.size() || !active.empty()) {
    while (static_cast<int>(active.size()) < concurrency && next < queries.size()) {
      auto e = start_udp(server, queries[next], options, next);
      ++next;
      if (!e) {
        results[next - 1] = e.error();
        continue;
      }
      if (auto sent = send_try(*e, server, options); !sent) {
        results[e->index] = sent.error();
        continue;
      }
      active.push_back(std::move(*e));
    }
    std::vector<pollfd> fds;
    for (const auto& e : active) fds.push_back({e.fd.get(), POLLIN, 0});
    ::poll(fds.data(), fds.size(), poll_timeout_ms(active));
    const TimePoint now = Clock::now();
    std::vector<UdpExchange> still;
    for (std::size_t i = 0; i < active.size(); ++i) {
      auto& e = active[i];
      if (fds[i].revents != 0) {
        if (auto done = take_reply(e, server, options)) {
          results[e.index] = std::move(*done);
          continue;
        }
      }
      if (now >= e.deadline) {
        if (e.tries_left == 0) {
          results[e.index] = make_error_code(std::errc::timed_out);
          continue;
        }
        if (auto sent = send_try(e, server, options); !sent) {
          results[e.index] = sent.error();
          continue;
        }
      }
      still.push_back(std::move(e));
    }
    active = std::move(still);
  }
  return results;
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
