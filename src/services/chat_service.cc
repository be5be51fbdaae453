#include "services/chat_service.h"

#include <fmt/core.h>

#include <algorithm>
#include <utility>

#include "conn/datagram_endpoint.h"
#include "conn/tcp_connection.h"
#include "proto/chat/udp_token.h"
#include "proto/http/request_parser.h"
#include "proto/websocket/close_codes.h"

namespace soket::services {
namespace {

using proto::chat::Via;

std::string describe_peer(const net::Address& address, std::string_view transport) {
  return address.to_string() + " (" + std::string(transport) + ")";
}

std::string_view without_line_end(std::string_view text) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return text;
}

Duration sweep_period(Duration timeout) {
  return std::clamp<Duration>(timeout / 10, std::chrono::milliseconds(50), std::chrono::seconds(1));
}

}  // namespace

// The port tells the web from the line protocol by the first line's shape (decide_protocol):
// a password with which "PASSWORD <password>" reads as a request line could never log in.
std::optional<std::string> chat_config_problem(const ChatConfig& config) {
  if (config.web.enabled && proto::http::looks_like_request_line("PASSWORD " + config.password)) {
    return "with this password the line 'PASSWORD ...' reads as an HTTP request line (a target "
           "and HTTP/1.x), which the web side would take: choose another password, or add "
           "--no-web";
  }
  return std::nullopt;
}

ChatService::ChatService(reactor::EventLoop& loop, ChatConfig config)
    : loop_(loop), config_(std::move(config)), room_(config_.password, config_.limits) {
  arm_sweep();
  if (config_.handshake_timeout > Duration::zero()) arm_handshake_sweep();
  if (config_.federation) {
    federation_ = std::make_unique<ChatFederation>(
        loop_, room_, actions_, *config_.federation,
        FederationHooks{[this] { carry_out(); }, [this](SessionId id) { admitted(id); },
                        [this](std::string_view line) { log(line); }});
  }
}

ChatService::~ChatService() {
  loop_.cancel(sweep_timer_);
  loop_.cancel(handshake_timer_);
  federation_.reset();  // While every member is still known: it gives their names back.
}

// A claim granted in Redis made the session a member, after the line that asked for it.
void ChatService::admitted(SessionId id) {
  if (const auto it = tcp_.find(id); it != tcp_.end()) {
    it->second.connection->complete_handshake();
  } else {
    update_tier(id);
  }
}

void ChatService::log(std::string_view line) const {
  if (config_.log) config_.log(line);
}

void ChatService::on_open(conn::Connection& connection) noexcept {
  tcp_.emplace(
      connection.id(),
      TcpMember{&connection, proto::line::LineFramer(config_.limits.max_line), false, nullptr});
}

// The first line tells a browser from a member of the line protocol, whose first line is
// PASSWORD: until it has come (or passed the line limit) nothing is read. The room's session
// opens then, named after what the member speaks. A first line past the limit that still
// reads as the start of a request line is the web's (its own limit answers it), so the
// verdict never depends on where TCP cut the stream.
bool ChatService::decide_protocol(TcpMember& member, const Buffer& input) {
  const auto text = input.readable_text();
  const auto end = text.find('\n');
  if (end == std::string_view::npos && text.size() <= config_.limits.max_line) return false;
  member.decided = true;
  const bool web =
      config_.web.enabled &&
      (end == std::string_view::npos
           ? proto::http::could_start_request_line(text)
           : proto::http::looks_like_request_line(without_line_end(text.substr(0, end + 1))));
  if (web) {
    member.web = std::make_unique<ChatWeb>(config_.web, config_.limits.max_line);
  }
  const auto& peer = member.connection->peer();
  room_.open(member.connection->id(), peer.host(), describe_peer(peer, member.web ? "web" : "tcp"),
             Via::tcp);
  return true;
}

void ChatService::on_data(conn::Connection& connection, Buffer& input) noexcept {
  const auto member = tcp_.find(connection.id());
  if (member == tcp_.end()) return;
  if (!member->second.decided && !decide_protocol(member->second, input)) return;
  if (member->second.web) return read_web(connection, input);
  read_lines(connection, input);
}

// Each line is the room's, like a line of the line protocol: same limits, same lockout.
void ChatService::read_web(conn::Connection& connection, Buffer& input) {
  const auto id = connection.id();
  for (;;) {
    const auto member = tcp_.find(id);
    if (member == tcp_.end()) return;  // Dropped by the last line's actions.
    auto& web = *member->second.web;
    const auto line = web.read(connection, input, [this](auto text) { log(text); });
    if (!line) {
      // Last: closing may end the connection at once, and the member (`web`) with it.
      if (web.ended()) connection.close_after_flush();
      return;
    }
    room_.receive(id, *line, loop_.now(), actions_);
    if (room_.is_member(id)) connection.complete_handshake();
    carry_out();
  }
}

void ChatService::read_lines(conn::Connection& connection, Buffer& input) {
  const auto id = connection.id();
  for (;;) {
    const auto member = tcp_.find(id);
    if (member == tcp_.end()) return;  // An "exit" closed it: the rest of the input is moot.
    const auto event = member->second.framer.next(input.readable_text());
    if (event.kind == proto::line::LineFramer::Kind::line) {
      room_.receive(id, event.line, loop_.now(), actions_);
      // Joined: the connection's handshake deadline no longer applies.
      if (room_.is_member(id)) member->second.connection->complete_handshake();
    } else if (event.kind == proto::line::LineFramer::Kind::too_long) {
      room_.line_too_long(id, actions_);
    }
    input.consume(event.consumed);
    // Each line's actions are carried out before the next line: "every member" means the
    // members at the time of that line, not after a later "exit" in the same read.
    carry_out();
    if (event.kind == proto::line::LineFramer::Kind::need_more) return;
  }
}

void ChatService::on_close(conn::Connection& connection, std::error_code reason) noexcept {
  backlogged_.erase(connection.id());
  if (tcp_.erase(connection.id()) == 0) return;  // Dropped by us: the room knows already.
  // The connection's handshake timer ends a session that did not join in time.
  if (reason == std::errc::timed_out && !room_.is_member(connection.id())) {
    ++tcp_unjoined_dropped_;
  }
  room_.close(connection.id(), "left (connection closed)", actions_);
  carry_out();
}

std::string ChatService::new_token() {
  std::string token;
  while (token.size() < proto::chat::kTokenHexDigits) {
    token += fmt::format("{:08x}", static_cast<std::uint32_t>(random_()));
  }
  token.resize(proto::chat::kTokenHexDigits);
  return token;
}

ChatService::Queue* ChatService::queue_of(Tier tier) {
  if (tier == Tier::stranger) return &strangers_;
  if (tier == Tier::authenticated) return &authenticated_;
  return nullptr;
}

// Puts the peer at the front of its tier's queue; a full queue first forgets its most idle
// entry. Members are in no queue: only the room's max-users bounds them.
void ChatService::place_udp(SessionId id, UdpPeer& peer, Tier tier) {
  if (Queue* old = queue_of(peer.tier); old != nullptr && peer.place != old->end()) {
    old->erase(peer.place);
  }
  peer.tier = tier;
  Queue* queue = queue_of(tier);
  if (queue == nullptr) return;
  while (queue->size() >= config_.max_pending_udp && !queue->empty()) {
    drop_udp(queue->back(), "dropped (too many pending UDP sessions)");
  }
  queue->push_front(id);
  peer.place = queue->begin();
}

ChatService::SessionId ChatService::open_udp(conn::DatagramEndpoint& endpoint,
                                             const net::Address& from) {
  const auto id = next_udp_id_++;
  UdpPeer fresh;
  fresh.endpoint = &endpoint;
  fresh.address = from;
  fresh.last_heard = loop_.now();
  fresh.place = strangers_.end();
  auto& peer = udp_.emplace(id, std::move(fresh)).first->second;
  udp_by_address_.emplace(from, id);
  room_.open(id, from.host(), describe_peer(from, "udp"), Via::udp);
  place_udp(id, peer, Tier::stranger);
  if (config_.handshake_timeout > Duration::zero()) {
    joining_.emplace_back(loop_.now() + config_.handshake_timeout, id);
  }
  return id;
}

// After each line: a session that gave the password gets its token (sent after its
// USERNAME OK) and moves to the table strangers cannot evict from; a member leaves both.
void ChatService::update_tier(SessionId id) {
  const auto it = udp_.find(id);
  if (it == udp_.end()) return;
  UdpPeer& peer = it->second;
  const Tier now = room_.is_member(id)          ? Tier::member
                   : room_.is_authenticated(id) ? Tier::authenticated
                                                : Tier::stranger;
  if (now == Tier::authenticated && peer.token.empty()) {
    peer.token = new_token();
    room_.set_token(id, peer.token);
  }
  if (now != peer.tier || now != Tier::member) place_udp(id, peer, now);
}

bool ChatService::accepts(UdpPeer& peer, const std::optional<std::string_view>& token) const {
  if (peer.tier != Tier::member) return true;  // Nothing to prove yet.
  if (token) {
    if (!proto::chat::equal_in_constant_time(peer.token, *token)) return false;
    peer.used_token = true;
    return true;
  }
  return config_.seed_compatible && !peer.used_token;
}

void ChatService::on_datagram(conn::DatagramEndpoint& endpoint, std::span<const std::byte> payload,
                              const net::Address& from) noexcept {
  const std::string_view datagram = without_line_end(as_text(payload));
  SessionId id = 0;
  std::string_view line = datagram;
  if (const auto known = udp_by_address_.find(from); known != udp_by_address_.end()) {
    id = known->second;
    UdpPeer& peer = udp_.at(id);
    const auto tokened = proto::chat::split_token(datagram);
    // A datagram from a member's address without its token may be forged: dropped unheard.
    if (!accepts(peer, tokened.token)) return;
    if (peer.tier == Tier::member) line = tokened.line;
    peer.last_heard = loop_.now();
  } else {
    id = open_udp(endpoint, from);
  }
  room_.receive(id, line, loop_.now(), actions_);
  update_tier(id);
  carry_out();
}

void ChatService::carry_out() {
  if (carrying_out_) return;  // A close inside: the loop below takes its actions too.
  carrying_out_ = true;
  std::string framed;
  while (!actions_.deliveries.empty() || !actions_.log.empty() || !actions_.closes.empty() ||
         !actions_.claims.empty() || !actions_.publish.empty() || !actions_.released.empty()) {
    proto::chat::Actions batch = std::move(actions_);
    actions_.clear();
    carry_out_federated(batch);
    for (const auto& delivery : batch.deliveries) {
      // Framed once, however many members it goes to: a room of 1,000 sends it 1,000 times.
      framed.assign(delivery.line).push_back('\n');
      if (delivery.to != proto::chat::kEveryMember) {
        deliver(delivery.to, framed);
        continue;
      }
      fan_out(framed);
    }
    for (const auto& line : batch.log) log(line);
    for (const auto id : batch.closes) {
      if (const auto it = tcp_.find(id); it != tcp_.end()) {
        auto& member = it->second;
        if (member.web) member.web->end(*member.connection, proto::websocket::kCloseNormal);
        member.connection->close_after_flush();  // on_close follows, once flushed.
      } else if (udp_.contains(id)) {
        drop_udp(id, "left");
      }
    }
    enforce_output_limits();
  }
  carrying_out_ = false;
}

// What the room asks of the other servers goes first: a join is published before the text
// that follows it in the same batch (the publish calls keep the order they are made in).
void ChatService::carry_out_federated(proto::chat::Actions& batch) {
  if (!federation_) return;
  for (auto& event : batch.publish) federation_->publish(std::move(event));
  for (const auto& name : batch.released) federation_->release(name);
  for (const auto& claim : batch.claims) federation_->claim(claim.id, claim.name);
}

// `framed` ends in LF; a datagram carries no line end (seed 004's client compares each
// reply datagram with "PASSWORD OK" exactly).
// Each message's fan-out starts one member further on: the engines write (io_uring: submit)
// in the order of the sends, so a fixed order would serve the same members first every time.
void ChatService::fan_out(std::string_view framed) {
  const auto& members = room_.members();
  if (members.empty()) return;
  const std::size_t start = fan_out_start_++ % members.size();
  for (std::size_t i = start; i < members.size(); ++i) deliver(members[i], framed);
  for (std::size_t i = 0; i < start; ++i) deliver(members[i], framed);
}

void ChatService::deliver(SessionId to, std::string_view framed) {
  if (const auto it = tcp_.find(to); it != tcp_.end()) {
    if (it->second.web) {
      framed.remove_suffix(1);  // A text message is a line, without its end.
      it->second.web->send_line(*it->second.connection, framed);
    } else {
      it->second.connection->send(framed);
    }
    if (it->second.connection->queued_output() > 0) backlogged_.insert(to);
  } else if (const auto peer = udp_.find(to); peer != udp_.end()) {
    framed.remove_suffix(1);
    peer->second.endpoint->send_to(as_bytes(framed), peer->second.address);
  }
}

// A member that does not read must not make the server hold its messages without bound:
// past its own limit it is dropped; past the room's, so is the one with the most queued.
void ChatService::enforce_output_limits() {
  std::size_t total = 0;
  std::vector<SessionId> over;
  for (auto it = backlogged_.begin(); it != backlogged_.end();) {
    const auto member = tcp_.find(*it);
    const std::size_t queued =
        member == tcp_.end() ? 0 : member->second.connection->queued_output();
    if (queued == 0) {
      it = backlogged_.erase(it);
      continue;
    }
    if (queued > config_.output_limit) over.push_back(*it);
    total += queued;
    ++it;
  }
  for (const auto id : over) {
    total -= tcp_.at(id).connection->queued_output();
    drop_tcp(id, fmt::format("left (not reading: over {} bytes queued)", config_.output_limit));
  }
  while (total > config_.total_output_limit && !backlogged_.empty()) {
    const auto largest =
        *std::max_element(backlogged_.begin(), backlogged_.end(), [this](SessionId a, SessionId b) {
          return tcp_.at(a).connection->queued_output() < tcp_.at(b).connection->queued_output();
        });
    total -= tcp_.at(largest).connection->queued_output();
    drop_tcp(largest, fmt::format("left (not reading: the room's output over {} bytes)",
                                  config_.total_output_limit));
  }
}

void ChatService::drop_tcp(SessionId id, std::string why) {
  const auto it = tcp_.find(id);
  if (it == tcp_.end()) return;
  conn::Connection* connection = it->second.connection;
  tcp_.erase(it);
  backlogged_.erase(id);
  room_.close(id, why, actions_);  // The leave is announced by the caller's carry_out loop.
  connection->close_now(std::make_error_code(std::errc::no_buffer_space));
}

void ChatService::drop_udp(SessionId id, std::string_view why) {
  const auto it = udp_.find(id);
  if (it == udp_.end()) return;
  if (Queue* queue = queue_of(it->second.tier);
      queue != nullptr && it->second.place != queue->end()) {
    queue->erase(it->second.place);
  }
  udp_by_address_.erase(it->second.address);
  udp_.erase(it);
  room_.close(id, why, actions_);
}

void ChatService::arm_sweep() {
  const auto every =
      std::max<Duration>(std::chrono::milliseconds(50), config_.udp_idle_timeout / 4);
  sweep_timer_ = loop_.run_after(every, [this] {
    sweep_idle_udp();
    arm_sweep();
  });
}

void ChatService::sweep_idle_udp() {
  std::vector<SessionId> silent;
  for (const auto& [id, peer] : udp_) {
    if (loop_.now() - peer.last_heard >= config_.udp_idle_timeout) silent.push_back(id);
  }
  for (const auto id : silent) drop_udp(id, "left (silent too long)");
  if (!silent.empty()) carry_out();
}

void ChatService::arm_handshake_sweep() {
  handshake_timer_ = loop_.run_after(sweep_period(config_.handshake_timeout), [this] {
    sweep_unjoined();
    arm_handshake_sweep();
  });
}

// Sessions come in opening order and share one timeout, so the deadlines are in order too:
// the sweep looks only at the front.
void ChatService::sweep_unjoined() {
  std::size_t tcp_dropped = std::exchange(tcp_unjoined_dropped_, 0), udp_dropped = 0;
  while (!joining_.empty() && joining_.front().first <= loop_.now()) {
    const SessionId id = joining_.front().second;
    joining_.pop_front();
    if (!room_.has_session(id) || room_.is_member(id)) continue;
    if (udp_.contains(id)) {
      ++udp_dropped;
      drop_udp(id, "dropped (did not join in time)");
    }
  }
  if (tcp_dropped + udp_dropped > 0) {
    log(fmt::format(
        "dropped {} tcp and {} udp sessions that did not join within {} ms", tcp_dropped,
        udp_dropped,
        std::chrono::duration_cast<std::chrono::milliseconds>(config_.handshake_timeout).count()));
  }
  carry_out();
}

}  // namespace soket::services
