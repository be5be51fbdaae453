#include "services/chat_web.h"

#include <fmt/core.h>

#include "proto/http/request_parser.h"
#include "proto/http/status_response.h"
#include "proto/websocket/close_codes.h"
#include "proto/websocket/frame_writer.h"
#include "services/chat_page.h"

namespace soket::services {
namespace {

namespace ws = proto::websocket;
using proto::http::RequestStatus;

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find('?'));
}

}  // namespace

ChatWeb::ChatWeb(const WebConfig& config, std::size_t max_message)
    : config_(config), reader_(max_message) {}

std::optional<std::string> ChatWeb::read(conn::Connection& connection, Buffer& input,
                                         const LogHandler& log) {
  if (state_ == State::request) read_request(connection, input, log);
  if (state_ == State::websocket) {
    if (auto line = read_frames(connection, input, log)) return line;
  }
  if (state_ == State::closing) input.clear();  // Read after a Close: never the room's.
  return std::nullopt;
}

void ChatWeb::answer_and_end(conn::Connection& connection, int status, std::string_view body) {
  connection.send(proto::http::plain_text_response(status, body));
  state_ = State::closing;
}

void ChatWeb::serve_page(conn::Connection& connection, bool head_only) {
  const ChatPage& page = chat_page();
  connection.send(fmt::format(
      "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n"
      "Content-Security-Policy: {}\r\nX-Content-Type-Options: nosniff\r\n"
      "Referrer-Policy: no-referrer\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
      page.document.size(), page.policy));
  if (!head_only) connection.send(page.document);
  state_ = State::closing;
}

// One request per connection: the page is one document, and the WebSocket keeps its own.
void ChatWeb::read_request(conn::Connection& connection, Buffer& input, const LogHandler& log) {
  const auto parse = proto::http::parse_request_head(input.readable_text());
  switch (parse.status) {
    case RequestStatus::need_more:
      return;
    case RequestStatus::bad_request:
      return answer_and_end(connection, 400, "bad request");
    case RequestStatus::head_too_large:
      return answer_and_end(connection, 431, "request head too large");
    case RequestStatus::bad_version:
      return answer_and_end(connection, 505, "only HTTP/1.1 is served here");
    case RequestStatus::done:
      break;
  }
  input.consume(parse.consumed);
  const auto& request = parse.head;
  const auto path = path_of(request.target);
  if (path == "/" && (request.method == "GET" || request.method == "HEAD")) {
    return serve_page(connection, request.method == "HEAD");
  }
  if (path != "/ws") return answer_and_end(connection, 404, "not found: try / or /ws");
  ws::OriginPolicy policy;
  policy.also_allowed = config_.more_origins;
  const auto answer = ws::answer_upgrade(request, policy);
  connection.send(answer.response);
  if (answer.status == 101) {
    state_ = State::websocket;
    return;
  }
  log(fmt::format("web: upgrade from {} refused ({}): {}", connection.peer().to_string(),
                  answer.status, answer.reason));
  state_ = State::closing;
}

std::optional<std::string> ChatWeb::read_frames(conn::Connection& connection, Buffer& input,
                                                const LogHandler& log) {
  using Kind = ws::MessageReader::Kind;
  while (state_ == State::websocket) {
    const auto event = reader_.next(input.readable_text());
    switch (event.kind) {
      case Kind::need_more:  // A fragment may have been taken whole: it is the reader's now.
        input.consume(event.consumed);
        return std::nullopt;
      case Kind::error:
        log(fmt::format("web: {} closed with {}: {}", connection.peer().to_string(), event.code,
                        event.why));
        end(connection, event.code, event.why);
        return std::nullopt;
      case Kind::text: {
        std::string line(event.payload);  // The view ends with the next call.
        input.consume(event.consumed);
        return line;
      }
      case Kind::binary:
        input.consume(event.consumed);
        end(connection, ws::kCloseUnsupportedData, "the room speaks text");
        return std::nullopt;
      case Kind::ping:
        connection.send(ws::pong_frame(event.payload));
        break;
      case Kind::pong:
        break;  // Unasked pongs are allowed (RFC 6455 section 5.5.3).
      case Kind::close: {
        const auto code = event.code == ws::kCloseNoStatus ? ws::kCloseNormal : event.code;
        input.consume(event.consumed);
        end(connection, code);
        return std::nullopt;
      }
    }
    input.consume(event.consumed);
  }
  return std::nullopt;
}

void ChatWeb::send_line(conn::Connection& connection, std::string_view line) {
  if (state_ == State::websocket) connection.send(ws::text_frame(line));
}

void ChatWeb::end(conn::Connection& connection, std::uint16_t code, std::string_view reason) {
  if (state_ == State::websocket) connection.send(ws::close_frame(code, reason));
  state_ = State::closing;
}

}  // namespace soket::services
