// ChatService: seed 004's chat room, one room for TCP and UDP members alike.
//
// The room is one shared state, so a chat server runs one event loop (one thread): that loop
// owns the Room, every TCP connection and every UDP peer. TCP sessions end when their
// connection closes, however it closes; UDP sessions when they say exit, or after
// `idle_timeout` of silence (clients send PING to stay).
//
// Against hostile peers (each bound is in README.md, "Limits against hostile peers"):
// - A session must join (PASSWORD and USERNAME done) within `handshake_timeout`: a TCP
//   connection's handshake ends when its member joins (the connection's own timer drops it
//   otherwise), a UDP session's is watched by this service's sweep.
// - A member whose queued output passes `output_limit`, or the largest queue when all of them
//   together pass `total_output_limit`, is dropped and the room told it left.
// - UDP sessions that have not joined are kept in two bounded tables, strangers and those
//   that gave the password; a full table forgets its most idle entry, so strangers can evict
//   only strangers, and never a member.
// - A UDP member proves itself with the token it got at USERNAME OK (proto/chat/udp_token.h);
//   a datagram from its address without the token is dropped, unless `seed_compatible`
//   lets members that never used their token (seed 004's client) go without it.
#pragma once

#include <deque>
#include <functional>
#include <list>
#include <random>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "proto/chat/room.h"
#include "proto/line/line_framer.h"
#include "services/chat_federation.h"
#include "services/chat_web.h"
#include "services/server.h"

namespace soket::services {

struct ChatConfig {
  std::string password;
  proto::chat::Limits limits;
  Duration udp_idle_timeout = std::chrono::seconds(60);
  Duration handshake_timeout = std::chrono::seconds(10);  // Zero: never.
  std::size_t output_limit = 4 * 1024 * 1024;             // Queued bytes per TCP member.
  std::size_t total_output_limit = 64 * 1024 * 1024;      // Queued bytes of all of them.
  std::size_t max_pending_udp = 1024;  // Per table: strangers; password given, no name yet.
  bool seed_compatible = false;        // UDP members may go without their token.
  // Where the room's life goes, one line each (the caller adds the time). Must not block.
  std::function<void(std::string_view line)> log;
  // The same TCP port serves browsers (chat_web.h): a connection whose first line is an
  // HTTP request line is the web's.
  WebConfig web;
  // With --redis: this server is one of several serving the room (chat_federation.h).
  std::optional<FederationConfig> federation;
};

// Why the room cannot be served as configured (one line, for the person who started it), or
// nullopt. Checked before the server starts.
std::optional<std::string> chat_config_problem(const ChatConfig& config);

class ChatService final : public LoopService {
 public:
  ChatService(reactor::EventLoop& loop, ChatConfig config);
  ~ChatService() override;

  void on_open(conn::Connection& connection) noexcept override;
  void on_data(conn::Connection& connection, Buffer& input) noexcept override;
  void on_close(conn::Connection& connection, std::error_code reason) noexcept override;
  // A chat connection's handshake is the join, not its first byte.
  bool handshake_at_first_byte() const noexcept override { return false; }
  // One message goes to every member: each member's lines of an iteration go out together.
  bool batches_sends() const noexcept override { return true; }
  void on_datagram(conn::DatagramEndpoint& endpoint, std::span<const std::byte> payload,
                   const net::Address& from) noexcept override;

 private:
  using SessionId = proto::chat::SessionId;
  using Queue = std::list<SessionId>;  // Most recently heard first.
  enum class Tier { stranger, authenticated, member };
  struct TcpMember {
    conn::Connection* connection;
    proto::line::LineFramer framer;
    bool decided = false;          // Its first line said: the chat's lines, or the web.
    std::unique_ptr<ChatWeb> web;  // For a browser.
  };
  struct UdpPeer {
    conn::DatagramEndpoint* endpoint = nullptr;
    net::Address address;
    TimePoint last_heard{};
    Tier tier = Tier::stranger;
    Queue::iterator place;  // In the queue of its tier (none for members).
    std::string token;
    bool used_token = false;
  };

  bool decide_protocol(TcpMember& member, const Buffer& input);
  void read_lines(conn::Connection& connection, Buffer& input);
  void read_web(conn::Connection& connection, Buffer& input);
  void carry_out();
  void carry_out_federated(proto::chat::Actions& batch);
  void admitted(SessionId id);
  void fan_out(std::string_view framed);  // To every member of the room.
  void deliver(SessionId to, std::string_view framed);
  void enforce_output_limits();
  void drop_tcp(SessionId id, std::string why);
  void drop_udp(SessionId id, std::string_view why);
  Queue* queue_of(Tier tier);
  void place_udp(SessionId id, UdpPeer& peer, Tier tier);
  void update_tier(SessionId id);
  bool accepts(UdpPeer& peer, const std::optional<std::string_view>& token) const;
  SessionId open_udp(conn::DatagramEndpoint& endpoint, const net::Address& from);
  std::string new_token();
  void sweep_idle_udp();
  void sweep_unjoined();
  void arm_sweep();
  void arm_handshake_sweep();
  void log(std::string_view line) const;

  reactor::EventLoop& loop_;
  ChatConfig config_;
  proto::chat::Room room_;
  proto::chat::Actions actions_;
  bool carrying_out_ = false;
  std::size_t fan_out_start_ = 0;  // Where the next fan-out begins (fan_out).
  std::unordered_map<SessionId, TcpMember> tcp_;
  std::unordered_set<SessionId> backlogged_;  // TCP sessions with output queued.
  std::unordered_map<SessionId, UdpPeer> udp_;
  std::unordered_map<net::Address, SessionId, net::AddressHash> udp_by_address_;
  Queue strangers_, authenticated_;
  std::deque<std::pair<TimePoint, SessionId>> joining_;  // UDP join deadlines, in order.
  std::size_t tcp_unjoined_dropped_ = 0;                 // Since the last sweep's log line.
  SessionId next_udp_id_ = 1ull << 63;                   // TCP ids count up from 1.
  std::random_device random_;
  reactor::TimerId sweep_timer_, handshake_timer_;
  std::unique_ptr<ChatFederation> federation_;  // Last: it uses the room in its destructor.
};

}  // namespace soket::services
