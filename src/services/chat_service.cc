#include "services/chat_service.h"

#include "conn/tcp_connection.h"
#include "conn/udp_endpoint.h"

namespace soket::services {
namespace {

std::string describe_peer(const net::Address& address, bool tcp) {
  return address.to_string() + (tcp ? " (tcp)" : " (udp)");
}

// Unauthenticated UDP peers cost memory too: past this many, new strangers are ignored
// until the idle sweep frees room (a spoofed flood cannot grow the table without bound).
constexpr std::size_t kMaxUdpPeers = 20000;

}  // namespace

ChatService::ChatService(reactor::EventLoop& loop, ChatConfig config)
    : loop_(loop), config_(std::move(config)), room_(config_.password, config_.limits) {
  arm_sweep();
}

ChatService::~ChatService() {
  loop_.cancel(sweep_timer_);
}

void ChatService::on_open(conn::TcpConnection& connection) noexcept {
  tcp_.emplace(connection.id(),
               TcpMember{&connection, proto::line::LineFramer(config_.limits.max_line)});
  room_.open(connection.id(), connection.peer().host(), describe_peer(connection.peer(), true));
}

void ChatService::on_data(conn::TcpConnection& connection, Buffer& input) noexcept {
  const auto id = connection.id();
  for (;;) {
    const auto member = tcp_.find(id);
    if (member == tcp_.end()) return;  // An "exit" closed it: the rest of the input is moot.
    const auto event = member->second.framer.next(input.readable_text());
    if (event.kind == proto::line::LineFramer::Kind::line) {
      room_.receive(id, event.line, loop_.now(), actions_);
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

void ChatService::on_close(conn::TcpConnection& connection, std::error_code) noexcept {
  tcp_.erase(connection.id());
  room_.close(connection.id(), "left (connection closed)", actions_);
  carry_out();
}

proto::chat::SessionId ChatService::udp_session(conn::UdpEndpoint& endpoint,
                                                const net::Address& from) {
  if (const auto it = udp_by_address_.find(from); it != udp_by_address_.end()) return it->second;
  if (udp_.size() >= kMaxUdpPeers) return 0;
  const auto id = next_udp_id_++;
  udp_by_address_.emplace(from, id);
  udp_.emplace(id, UdpPeer{&endpoint, from, loop_.now()});
  room_.open(id, from.host(), describe_peer(from, false));
  return id;
}

void ChatService::on_datagram(conn::UdpEndpoint& endpoint, std::span<const std::byte> payload,
                              const net::Address& from) noexcept {
  const auto id = udp_session(endpoint, from);
  if (id == 0) return;
  udp_.at(id).last_heard = loop_.now();
  std::string_view line = as_text(payload);
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  room_.receive(id, line, loop_.now(), actions_);
  carry_out();
}

void ChatService::carry_out() {
  std::string framed;
  for (const auto& delivery : actions_.deliveries) {
    // Framed once, however many members it goes to: a room of 1,000 sends it 1,000 times.
    framed.assign(delivery.line).push_back('\n');
    if (delivery.to != proto::chat::kEveryMember) {
      deliver(delivery.to, framed);
      continue;
    }
    for (const auto member : room_.members()) deliver(member, framed);
  }
  if (config_.log) {
    for (const auto& line : actions_.log) config_.log(line);
  }
  const auto closes = std::move(actions_.closes);
  actions_.clear();
  for (const auto id : closes) {
    if (const auto it = tcp_.find(id); it != tcp_.end()) {
      it->second.connection->close_after_flush();  // on_close follows, once flushed.
    } else if (const auto peer = udp_.find(id); peer != udp_.end()) {
      udp_by_address_.erase(peer->second.address);
      udp_.erase(peer);
    }
  }
}

void ChatService::deliver(proto::chat::SessionId to, std::string_view framed) {
  if (const auto it = tcp_.find(to); it != tcp_.end()) {
    it->second.connection->send(framed);
  } else if (const auto peer = udp_.find(to); peer != udp_.end()) {
    peer->second.endpoint->send_to(as_bytes(framed), peer->second.address);
  }
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
  std::vector<proto::chat::SessionId> silent;
  for (const auto& [id, peer] : udp_) {
    if (loop_.now() - peer.last_heard >= config_.udp_idle_timeout) silent.push_back(id);
  }
  for (const auto id : silent) {
    udp_by_address_.erase(udp_.at(id).address);
    udp_.erase(id);
    room_.close(id, "left (silent too long)", actions_);
  }
  if (!silent.empty()) carry_out();
}

}  // namespace soket::services
