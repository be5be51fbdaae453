// BenchLines: one TCP connection of the load generator for the line services.
//   transform: `pipeline` lines in flight; each reply must be exactly the line transformed
//              (its text and count; the time field is only checked for shape).
//   chat:      logs in as member m<index>, then sends a message and waits for it to come back
//              through the room's fan-out; every member's message line it receives on the way
//              counts as a delivery.
//   ncat --chat: no login, and a line never comes back to its sender: a message is back when
//              the first member on the same load thread has received it.
// Under --rate a request is not sent before it is due (see Pacer).
// Loop-thread only.
#pragma once

#include <cstdint>
#include <string>

#include "clients/detail/bench_context.h"
#include "clients/detail/bench_schedule.h"
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
  std::uint64_t window_messages() const { return schedule_.window_messages(); }
  bool open() const { return fd_.valid(); }

  void on_io(std::uint32_t events) noexcept override;

 private:
  enum class Step { connecting, password, username, running };

  void on_connected();
  void on_line(std::string_view line);
  void on_login_reply(std::string_view line);
  void on_transform_reply(std::string_view line);
  void on_chat_line(std::string_view line);
  void on_relayed_line(std::string_view line);  // ncat --chat.
  void on_member_message(std::string_view message);
  void on_returned();  // This member's message came back (ncat: reached another member).
  void running();
  // Sends the requests that the pipeline allows and that are due.
  void pump();
  void send_line(const std::string& line);  // Queued; on_io writes the queue once.
  void read_lines();
  void flush();
  void fail(FailureKind kind, std::error_code error = {});

  reactor::EventLoop& loop_;
  BenchContext& context_;
  net::Fd fd_;
  const bool chat_;
  const bool ncat_;
  Step step_ = Step::connecting;
  std::string name_;
  std::string text_;      // The message's text (transform: letters of both cases).
  std::string expected_;  // Transform: the start of the reply; chat: the line that returns.
  RequestSchedule schedule_;
  Buffer input_, output_;
  proto::line::LineFramer framer_;
  bool waiting_for_output_ = true;  // Watched for EPOLLOUT (connecting, or output queued).
};

}  // namespace soket::clients::detail
