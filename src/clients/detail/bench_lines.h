// BenchLines: one TCP connection of the load generator for the line services.
//   transform: `pipeline` lines in flight; each reply must be exactly the line transformed
//              (its text and count; the time field is only checked for shape).
//   chat:      logs in as member m<index>, then sends a message and waits for it to come back
//              through the room's fan-out; every member's message line it receives on the way
//              counts as a delivery.
// Under --rate a request is not sent before it is due (see Pacer).
// Loop-thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <string>

#include "clients/detail/bench_context.h"
#include "clients/detail/bench_pacer.h"
#include "core/buffer.h"
#include "net/fd.h"
#include "proto/line/line_framer.h"
#include "reactor/event_loop.h"

namespace soket::clients::detail {

class BenchLines final : public reactor::IoHandler {
 public:
  BenchLines(reactor::EventLoop& loop, BenchContext& context, net::Fd fd, std::size_t index);
  ~BenchLines();
  BenchLines(const BenchLines&) = delete;
  BenchLines& operator=(const BenchLines&) = delete;

  Result<void> start();
  std::uint64_t window_messages() const { return window_messages_; }
  bool open() const { return fd_.valid(); }

  void on_io(std::uint32_t events) noexcept override;

 private:
  enum class Step { connecting, password, username, running };

  void on_connected();
  void on_line(std::string_view line);
  void on_login_reply(std::string_view line);
  void on_transform_reply(std::string_view line);
  void on_chat_line(std::string_view line);
  // Sends the requests that the pipeline allows and that are due; arms the pace timer.
  void pump();
  void send_request(TimePoint now);
  void send_line(const std::string& line);  // Queued; on_io writes the queue once.
  void read_lines();
  void flush();
  void complete();
  static std::optional<Duration> sent_ago(std::string_view line);
  void fail(FailureKind kind, std::error_code error = {});

  reactor::EventLoop& loop_;
  BenchContext& context_;
  net::Fd fd_;
  bool chat_;
  Step step_ = Step::connecting;
  std::string name_;
  std::string text_;      // The message's text (transform: letters of both cases).
  std::string expected_;  // Transform: the start of the reply; chat: the line that returns.
  struct Sent {
    TimePoint due_at, sent_at;
  };
  std::deque<Sent> in_flight_;
  std::uint64_t sequence_ = 0;  // Requests sent so far.
  const std::size_t index_;
  Pacer pacer_;
  PreciseTimers::Key pace_timer_;
  bool pace_armed_ = false;
  Buffer input_, output_;
  proto::line::LineFramer framer_;
  std::uint64_t window_messages_ = 0;
  bool waiting_for_output_ = true;  // Watched for EPOLLOUT (connecting, or output queued).
};

}  // namespace soket::clients::detail
