// Client: one connection to Redis through hiredis's async API, on soket's event loop.
//
// hiredis writes the commands and parses the replies (RESP); this class adds what a server
// needs from a link it depends on: a connect timeout, a watchdog that calls a link dead when
// a command goes unanswered too long (a Redis that stopped, a host that vanished without a
// reset), and callbacks that never run inside another call of this class: the `down` event
// and the empty answers of commands cut off by it come at the end of the loop iteration.
//
// Loop thread only. A Client must not be destroyed from inside one of its own callbacks.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "reactor/event_loop.h"

struct redisAsyncContext;
struct redisReply;

namespace soket::redis {

struct ClientEvents {
  std::function<void()> up;  // Connected (and the database chosen).
  std::function<void(const std::string& why)>
      down;  // Lost, or never reached ("connection refused").
};

struct ClientTimeouts {
  Duration connect = std::chrono::seconds(5);
  Duration answer = std::chrono::seconds(10);  // The oldest unanswered command, at most.
};

class Client {
 public:
  // Called with the reply, or with nullptr when the link went down before it came.
  using ReplyHandler = std::function<void(const redisReply* reply)>;
  using MessageHandler = std::function<void(std::string_view channel, std::string_view payload)>;

  Client(reactor::EventLoop& loop, ClientEvents events, ClientTimeouts timeouts = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Starts connecting to a numeric `host` (no name lookup happens here: resolve it first);
  // `up` or `down` follows. Any earlier connection is dropped without events.
  void connect(const std::string& host, std::uint16_t port, int database);
  // Drops the connection; no `down` event, cut-off commands get nullptr.
  void disconnect();
  bool is_up() const { return state_ == State::up; }

  // Sends one command, its words as they are (binary-safe). False, and `done` never called,
  // when the link is not up.
  bool command(const std::vector<std::string>& words, ReplyHandler done);
  // SUBSCRIBE: `subscribed` once Redis confirms, then `on_message` for each message. The
  // connection then takes no other command (Redis's rule for a subscribed connection).
  bool subscribe(const std::string& channel, std::function<void()> subscribed,
                 MessageHandler on_message);
  std::size_t unanswered() const { return unanswered_; }
  // Writes what hiredis still holds for Redis, blocking up to `limit`: for a server that is
  // about to stop and would otherwise leave its last commands unsent.
  void flush(Duration limit);

 private:
  enum class State { idle, connecting, selecting, up };
  struct Pending;

  static void on_connect(const redisAsyncContext* context, int status);
  static void on_disconnect(const redisAsyncContext* context, int status);
  static void on_reply(redisAsyncContext* context, void* reply, void* data);
  static void on_subscription(redisAsyncContext* context, void* reply, void* data);
  void connected(int database);
  void fail(std::string why);
  void free_context();
  void defer(std::function<void()> task);
  void arm_watchdog();
  void watch();
  bool send(const std::vector<std::string>& words,
            void (*callback)(redisAsyncContext*, void*, void*), void* data);

  reactor::EventLoop& loop_;
  ClientEvents events_;
  ClientTimeouts timeouts_;
  redisAsyncContext* context_ = nullptr;
  State state_ = State::idle;
  bool destroying_ = false;
  std::size_t unanswered_ = 0;
  TimePoint started_{};      // When connecting began.
  TimePoint last_answer_{};  // When the last reply came (or the oldest command was sent).
  reactor::TimerId watchdog_;
  std::function<void()> subscribed_;
  MessageHandler on_message_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// hiredis's messages are strerror's ("Connection refused"); soket's are lower-case.
std::string lower_first(std::string text);

// The reply's text (a status, an error, a string), or "" for other types.
std::string_view text_of(const redisReply& reply);
bool is_error(const redisReply& reply);

}  // namespace soket::redis
