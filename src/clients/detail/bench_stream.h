// BenchStream: one TCP connection of the load generator. Its bytes are a periodic pattern,
// so the echo is checked byte for byte without keeping a copy of what was sent.
//   pingpong: `pipeline` messages in flight; each echo completed sends the next (under
//             --rate, not before it is due: see Pacer).
//   stream:   writes without pause while the socket takes it; reads and checks the echo.
//   idle:     connects and holds.
// Loop-thread only.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "clients/detail/bench_context.h"
#include "clients/detail/bench_pacer.h"
#include "net/fd.h"
#include "reactor/event_loop.h"

namespace soket::clients::detail {

class BenchStream final : public reactor::IoHandler {
 public:
  BenchStream(reactor::EventLoop& loop, BenchContext& context, net::Fd fd, std::size_t index);
  ~BenchStream();
  BenchStream(const BenchStream&) = delete;
  BenchStream& operator=(const BenchStream&) = delete;

  Result<void> start();
  std::uint64_t window_messages() const { return window_messages_; }
  bool open() const { return fd_.valid(); }

  void on_io(std::uint32_t events) noexcept override;

 private:
  void on_connected();
  void send_what_is_allowed();
  std::uint64_t send_limit(TimePoint now);  // In bytes; arms the pace timer if it binds.
  void on_readable();
  bool check(std::span<const std::byte> bytes);
  void complete_messages(std::uint64_t before, std::uint64_t after);
  void set_want_write(bool want);
  void fail(FailureKind kind, std::error_code error = {});

  reactor::EventLoop& loop_;
  BenchContext& context_;
  net::Fd fd_;
  const std::size_t size_;
  const bool stream_;
  std::vector<std::byte> pattern_;  // The message, repeated: any window is contiguous.
  std::vector<TimePoint> sent_at_;  // Ring of send times, by message number % pipeline.
  std::uint64_t sent_ = 0, received_ = 0;
  const std::size_t index_;
  Pacer pacer_;
  PreciseTimers::Key pace_timer_;
  bool pace_armed_ = false;
  std::uint64_t window_messages_ = 0;
  bool connected_ = false;
  bool want_write_ = true;
};

}  // namespace soket::clients::detail
