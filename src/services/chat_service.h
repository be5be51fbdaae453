// ChatService: seed 004's chat room, one room for TCP and UDP members alike.
//
// The room is one shared state, so a chat server runs one event loop (one thread): that loop
// owns the Room, every TCP connection and every UDP peer. TCP sessions end when their
// connection closes, however it closes; UDP sessions when they say exit, or after
// `idle_timeout` of silence (clients send PING to stay).
#pragma once

#include <functional>
#include <string>
#include <unordered_map>

#include "proto/chat/room.h"
#include "proto/line/line_framer.h"
#include "services/server.h"

namespace soket::services {

struct ChatConfig {
  std::string password;
  proto::chat::Limits limits;
  Duration udp_idle_timeout = std::chrono::seconds(60);
  // Where the room's life goes, one line each (the caller adds the time).
  std::function<void(std::string_view line)> log;
};

class ChatService final : public LoopService {
 public:
  ChatService(reactor::EventLoop& loop, ChatConfig config);
  ~ChatService() override;

  void on_open(conn::TcpConnection& connection) noexcept override;
  void on_data(conn::TcpConnection& connection, Buffer& input) noexcept override;
  void on_close(conn::TcpConnection& connection, std::error_code reason) noexcept override;
  void on_datagram(conn::UdpEndpoint& endpoint, std::span<const std::byte> payload,
                   const net::Address& from) noexcept override;

 private:
  struct TcpMember {
    conn::TcpConnection* connection;
    proto::line::LineFramer framer;
  };
  struct UdpPeer {
    conn::UdpEndpoint* endpoint;
    net::Address address;
    TimePoint last_heard;
  };

  void carry_out();
  // `framed` is the line with its LF.
  void deliver(proto::chat::SessionId to, std::string_view framed);
  void sweep_idle_udp();
  void arm_sweep();
  proto::chat::SessionId udp_session(conn::UdpEndpoint& endpoint, const net::Address& from);

  reactor::EventLoop& loop_;
  ChatConfig config_;
  proto::chat::Room room_;
  proto::chat::Actions actions_;
  std::unordered_map<proto::chat::SessionId, TcpMember> tcp_;
  std::unordered_map<proto::chat::SessionId, UdpPeer> udp_;
  std::unordered_map<net::Address, proto::chat::SessionId, net::AddressHash> udp_by_address_;
  proto::chat::SessionId next_udp_id_ = 1ull << 63;  // TCP ids count up from 1.
  reactor::TimerId sweep_timer_;
};

}  // namespace soket::services
