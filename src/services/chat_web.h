// ChatWeb: the web side of one chat connection, for a browser: HTTP/1.1 until the request
// for /ws upgrades it, then WebSocket (RFC 6455), each text message one line of the chat
// protocol. It parses and answers (through proto/http and proto/websocket); the chat service
// decides what a line means, so a browser member is a member like any other.
//
// What it serves: GET (or HEAD) / the page (chat_page.h); GET /ws the upgrade; any other
// target 404; a malformed request 400 (431 past the head's limit, 505 for HTTP/2), each
// answered once and then closed. No request body is read: no route takes one.
//
// What ends a WebSocket, with the code sent in the Close frame: the reader's protocol
// errors (1002, 1007, 1009: proto/websocket/message_reader.h), a binary message (1003: the
// room speaks text), the member's own Close (echoed), and the room closing the session
// (1000). After a Close frame is sent nothing more is read for the room.
//
// It never closes the connection itself: closing may call the service's on_close at once,
// which destroys this object, so the caller ends the connection (close_after_flush) once
// ended() says so and no call of this object is under way.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conn/connection.h"
#include "proto/websocket/handshake.h"
#include "proto/websocket/message_reader.h"

namespace soket::services {

struct WebConfig {
  bool enabled = true;                    // --no-web turns it off: every line is the chat's.
  std::vector<std::string> more_origins;  // --web-origin: allowed besides the page's own.
};

class ChatWeb {
 public:
  using LogHandler = std::function<void(std::string_view line)>;

  ChatWeb(const WebConfig& config, std::size_t max_message);

  // Reads what `input` holds (the request, then frames) up to the next text message, and
  // returns it: the next line for the room. Nothing when it needs more input or has ended
  // the exchange (then ended()). One line at a time, so that the room acts on each before the next
  // is read (and an `exit` ends what follows), and nothing here runs while the service handles a
  // line (it may drop the connection, and this object with it).
  std::optional<std::string> read(conn::Connection& connection, Buffer& input,
                                  const LogHandler& log);
  // True once upgraded: the room's lines then go out as text frames.
  bool upgraded() const { return state_ == State::websocket; }
  // One line of the room to the member (nothing before the upgrade or after a Close).
  void send_line(conn::Connection& connection, std::string_view line);
  // Sends a Close frame with `code` (if upgraded); the caller then closes the connection.
  void end(conn::Connection& connection, std::uint16_t code, std::string_view reason = {});
  // True once the exchange is over (answered, refused or closed): the caller closes the
  // connection after its output is flushed.
  bool ended() const { return state_ == State::closing; }

 private:
  enum class State { request, websocket, closing };

  void read_request(conn::Connection& connection, Buffer& input, const LogHandler& log);
  void answer_and_end(conn::Connection& connection, int status, std::string_view body);
  void serve_page(conn::Connection& connection, bool head_only);
  std::optional<std::string> read_frames(conn::Connection& connection, Buffer& input,
                                         const LogHandler& log);

  const WebConfig& config_;
  State state_ = State::request;
  proto::websocket::MessageReader reader_;
};

}  // namespace soket::services
