// TransformService: seed 002's five processes on every line (TCP) or datagram (UDP).
// TCP: one message per line (LF or CRLF), one reply line each; a line over 64 KiB gets
// "ERROR line too long (max 65536 bytes)", its rest is skipped and the connection goes on.
// UDP: one message per datagram (a trailing line end is not part of it), one reply datagram
// (with LF, so that nc -u prints it on a line) to the datagram's own sender.
#pragma once

#include <functional>
#include <optional>
#include <unordered_map>

#include "proto/line/line_framer.h"
#include "proto/transform/transform.h"
#include "services/server.h"

namespace soket::services {

// The local time of this machine, for the timestamp field.
proto::transform::LocalTime local_time_now();

class TransformService final : public LoopService {
 public:
  static constexpr std::size_t kMaxLine = 65536;
  static constexpr std::size_t kReplyBatch = 64 * 1024;
  using LocalClock = std::function<proto::transform::LocalTime()>;

  explicit TransformService(LocalClock clock = local_time_now) : clock_(std::move(clock)) {}

  void on_open(conn::Connection& connection) noexcept override;
  void on_data(conn::Connection& connection, Buffer& input) noexcept override;
  void on_peer_closed(conn::Connection& connection, Buffer& input) noexcept override;
  void on_close(conn::Connection& connection, std::error_code) noexcept override;
  void on_datagram(conn::DatagramEndpoint& endpoint, std::span<const std::byte> payload,
                   const net::Address& from) noexcept override;

 private:
  std::string_view reply_line(std::string_view message);
  void append_reply_line(std::string_view message, std::string_view now);
  std::string_view timestamp();

  LocalClock clock_;
  std::unordered_map<conn::Connection::Id, proto::line::LineFramer> framers_;
  std::string replies_;  // One read's replies (or one datagram's); kept to reuse its memory.
  std::string timestamp_;
  std::optional<proto::transform::LocalTime> timestamp_time_;  // What timestamp_ shows.
};

}  // namespace soket::services
