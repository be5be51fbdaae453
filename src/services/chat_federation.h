// ChatFederation: the link that makes one chat room of several servers, over Redis.
//
// Each server serves its own members (ChatService) and tells the others what happens in
// its part of the room through Redis pub/sub, as events (proto/chat/federation.h) on the
// room's channel. Redis also holds what must be agreed room-wide:
//   soket:chat:<room>:events        the channel every server publishes to and listens on;
//   soket:chat:<room>:name:<name>   who holds a name: a server's id, set with SET NX (so two
//                                   servers can never both get it) and an expiry of
//                                   `name_expiry`, renewed by its server every `renew_every`;
//   soket:chat:<room>:history       the last kHistoryKept messages, for --history.
//
// Two connections: one for commands, one subscribed (Redis lets a subscribed connection do
// nothing else). Either one lost means the link is lost: the room is split, both close, and
// they are retried with backoff; once back, every local member's name is claimed again (one
// that another server took meanwhile loses it: its member is told and dropped), and rosters
// are exchanged so /who is whole again.
//
// A server that vanishes without a word stops renewing: its names expire, and the others
// forget its members once they have heard nothing from it for `name_expiry` (every server
// publishes its roster every `renew_every`, as its heartbeat).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/clock.h"
#include "proto/chat/room.h"
#include "reactor/event_loop.h"
#include "redis/client.h"

namespace soket::services {

inline constexpr std::size_t kHistoryKept = 1000;  // Messages Redis keeps; --history at most.
inline constexpr std::size_t kMaxServers = 256;    // Other servers one server keeps track of.

struct FederationConfig {
  std::string host;  // Numeric: resolved before.
  std::uint16_t port = 6379;
  int database = 0;
  std::string where;  // "HOST:PORT", for the log.
  std::string room = "lobby";
  std::size_t history = 0;
  std::string label;  // How /who names this server.
  Duration name_expiry = std::chrono::seconds(30);
  Duration renew_every = std::chrono::seconds(10);
  Duration retry_first = std::chrono::milliseconds(250);
  Duration retry_most = std::chrono::seconds(5);
  redis::ClientTimeouts timeouts;
};

struct FederationHooks {
  std::function<void()> carry_out;                       // Acts on the Room's Actions.
  std::function<void(proto::chat::SessionId)> admitted;  // A claim made this session a member.
  std::function<void(std::string_view)> log;
};

class ChatFederation {
 public:
  ChatFederation(reactor::EventLoop& loop, proto::chat::Room& room, proto::chat::Actions& actions,
                 FederationConfig config, FederationHooks hooks);
  ~ChatFederation();  // Says bye, gives the names back and flushes (bounded).
  ChatFederation(const ChatFederation&) = delete;
  ChatFederation& operator=(const ChatFederation&) = delete;

  // What the Room asked for (ChatService's carry_out calls these).
  void publish(proto::chat::Event event);
  void claim(proto::chat::SessionId id, const std::string& name);
  void release(const std::string& name);

  bool is_up() const { return state_ == State::up; }
  const std::string& server_id() const { return id_; }

 private:
  enum class State { connecting, up, split };
  struct Server {
    TimePoint last_heard;
    std::uint64_t last_seq = 0;
  };

  void connect();
  void on_client_up();
  void on_subscribed();
  void on_lost(const std::string& why);
  void retry_later();
  void on_message(std::string_view payload);
  void on_event(const proto::chat::Event& event);
  bool note_server(const proto::chat::Event& event);
  void send_claim(proto::chat::SessionId id, const std::string& name);
  void answer_claim(proto::chat::SessionId id, const std::string& name, const redisReply* reply);
  void give_history(proto::chat::SessionId id, const std::string& name, const redisReply* reply);
  void heartbeat();
  void renew_names(bool rejoining);
  void on_renewed(const std::vector<std::string>& names, const redisReply* reply);
  void forget_silent_servers();
  void publish_roster();
  void skipped(std::string_view what, std::string_view why);
  std::string name_key(const std::string& name) const;
  void act();

  reactor::EventLoop& loop_;
  proto::chat::Room& room_;
  proto::chat::Actions& actions_;
  FederationConfig config_;
  FederationHooks hooks_;
  std::string id_;
  std::string prefix_, channel_, history_key_;
  redis::Client commands_, events_;
  State state_ = State::connecting;
  int clients_up_ = 0;
  Duration retry_delay_;
  bool retry_armed_ = false;
  std::uint64_t seq_ = 0;
  std::map<std::string, Server> servers_;  // Other servers heard from, by id.
  std::vector<std::pair<proto::chat::SessionId, std::string>> waiting_claims_;  // Before first up.
  std::size_t skipped_ = 0;  // Bad records since the last log line about them.
  TimePoint skipped_logged_{};
  reactor::TimerId retry_timer_, heartbeat_timer_;
};

}  // namespace soket::services
