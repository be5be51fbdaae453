#include "services/transform_service.h"

#include <ctime>

#include "conn/datagram_endpoint.h"

namespace soket::services {
namespace {
constexpr std::string_view kTooLong = "ERROR line too long (max 65536 bytes)\n";
// 65,535 less the IPv4 and UDP headers: the largest datagram every UDP path can carry.
constexpr std::size_t kMaxReplyDatagram = 65507;
constexpr std::string_view kReplyTooLong = "ERROR reply too long (max 65507 bytes)\n";
}  // namespace

proto::transform::LocalTime local_time_now() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  ::localtime_r(&now, &local);
  return {local.tm_year + 1900, local.tm_mon + 1, local.tm_mday,
          local.tm_hour,        local.tm_min,     local.tm_sec};
}

// One message's reply line, in replies_ (valid until the next reply is made).
std::string_view TransformService::reply_line(std::string_view message) {
  replies_.clear();
  append_reply_line(message, timestamp());
  return replies_;
}

void TransformService::append_reply_line(std::string_view message, std::string_view now) {
  proto::transform::append_reply(replies_, message, now);
  replies_.push_back('\n');
}

// The time is read once per batch of lines, and formatted again only when it has changed.
std::string_view TransformService::timestamp() {
  const auto now = clock_();
  if (timestamp_time_ != now) {
    timestamp_ = proto::transform::format_timestamp(now);
    timestamp_time_ = now;
  }
  return timestamp_;
}

void TransformService::on_open(conn::Connection& connection) noexcept {
  framers_.emplace(connection.id(), proto::line::LineFramer(kMaxLine));
}

// The replies to the lines of one read go out in sends of up to kReplyBatch: a pipelining
// client's lines would otherwise cost a syscall each. Replies are ~30 times longer than the
// shortest lines, so once the connection is backpressured the rest of the input waits (the
// connection offers it again when the output has drained): what is queued for a peer that
// does not read stays within --max-output plus one batch.
void TransformService::on_data(conn::Connection& connection, Buffer& input) noexcept {
  auto& framer = framers_.at(connection.id());
  replies_.clear();
  const std::string_view now = timestamp();
  for (;;) {
    if (replies_.size() >= kReplyBatch) {
      connection.send(replies_);
      replies_.clear();
    }
    if (connection.backpressured() || connection.closed()) break;
    const auto event = framer.next(input.readable_text());
    if (event.kind == proto::line::LineFramer::Kind::line) {
      append_reply_line(event.line, now);
    } else if (event.kind == proto::line::LineFramer::Kind::too_long) {
      replies_ += kTooLong;
    }
    input.consume(event.consumed);
    if (event.kind == proto::line::LineFramer::Kind::need_more) break;
  }
  if (!replies_.empty()) connection.send(replies_);
}

void TransformService::on_peer_closed(conn::Connection& connection, Buffer& input) noexcept {
  // A last message without its LF (nc without a final newline) still gets its answer.
  // on_data left no complete line behind, so what remains is that last message.
  // A line already reported as too long (skipping) has had its ERROR; one that reached the
  // limit only with its last byte is reported here.
  const auto it = framers_.find(connection.id());
  if (it != framers_.end() && !it->second.skipping() && !input.empty()) {
    std::string_view last = input.readable_text();
    if (last.back() == '\r') last.remove_suffix(1);
    connection.send(last.size() > kMaxLine ? kTooLong : reply_line(last));
  }
  input.clear();
}

void TransformService::on_close(conn::Connection& connection, std::error_code) noexcept {
  framers_.erase(connection.id());
}

void TransformService::on_datagram(conn::DatagramEndpoint& endpoint,
                                   std::span<const std::byte> payload,
                                   const net::Address& from) noexcept {
  std::string_view message = as_text(payload);
  if (!message.empty() && message.back() == '\n') message.remove_suffix(1);
  if (!message.empty() && message.back() == '\r') message.remove_suffix(1);
  // Case mapping can make a reply longer than its message (ß gives SS), and the fields add
  // more: a reply that no datagram can carry is answered with an ERROR instead of nothing.
  const std::string_view reply = reply_line(message);
  endpoint.send_to(as_bytes(reply.size() > kMaxReplyDatagram ? kReplyTooLong : reply), from);
}

}  // namespace soket::services
