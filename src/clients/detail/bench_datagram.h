// BenchDatagram: one connected UDP socket of the load generator, `pipeline` datagrams in
// flight. Each datagram carries its sequence number in its first 8 bytes (when it has 8), so
// a reply is matched to its request even out of order; one lost for over a second is counted
// as an error and replaced. Under --rate a free slot waits until its next message is due
// (see Pacer). Loop-thread only.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "clients/detail/bench_context.h"
#include "clients/detail/bench_pacer.h"
#include "net/fd.h"
#include "reactor/event_loop.h"

namespace soket::clients::detail {

class BenchDatagram final : public reactor::IoHandler {
 public:
  static constexpr auto kLostAfter = std::chrono::seconds(1);

  BenchDatagram(reactor::EventLoop& loop, BenchContext& context, net::Fd fd, std::size_t index);
  ~BenchDatagram();
  BenchDatagram(const BenchDatagram&) = delete;
  BenchDatagram& operator=(const BenchDatagram&) = delete;

  Result<void> start();
  std::uint64_t window_messages() const { return window_messages_; }
  bool open() const { return fd_.valid(); }
  // Replaces datagrams sent before `now - kLostAfter` that never came back.
  void replace_lost(TimePoint now);

  void on_io(std::uint32_t events) noexcept override;

 private:
  struct Slot {
    std::uint64_t sequence = 0;
    TimePoint due_at, sent_at;
    bool in_flight = false;
  };
  // Sends into every free slot whose next message is due, else arms the pace timer.
  void pump(TimePoint now);
  void send_into(Slot& slot, TimePoint now);
  void on_reply(std::span<const std::byte> reply);

  reactor::EventLoop& loop_;
  BenchContext& context_;
  net::Fd fd_;
  std::vector<std::byte> message_;
  std::vector<Slot> slots_;
  std::uint64_t next_sequence_ = 0;
  std::uint64_t window_messages_ = 0;
  const std::size_t index_;
  Pacer pacer_;
  PreciseTimers::Key pace_timer_;
  bool pace_armed_ = false;
};

}  // namespace soket::clients::detail
