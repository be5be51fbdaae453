// RequestSchedule: the requests of one connection of the load, for the services whose replies
// come back in order (transform lines, chat messages): which are due (Pacer, under --rate),
// which are in flight, and each one's latency as it completes. Loop-thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <utility>

#include "clients/detail/bench_context.h"
#include "clients/detail/bench_pacer.h"

namespace soket::clients::detail {

class RequestSchedule {
 public:
  // `wake` is called when a request that was not yet due becomes due: it should pump again.
  RequestSchedule(BenchContext& context, std::size_t index, std::function<void()> wake)
      : context_(context), index_(index), wake_(std::move(wake)) {}
  ~RequestSchedule() {
    if (armed_) context_.pace_timers->cancel(timer_);
  }
  RequestSchedule(const RequestSchedule&) = delete;
  RequestSchedule& operator=(const RequestSchedule&) = delete;

  // Calls send(now, number) for each request that `pipeline` allows and that is due; arms the
  // pace timer for the next one that is not.
  template <typename Send>
  void pump(std::size_t pipeline, Send&& send) {
    if (context_.config.mode == LoadMode::idle) return;
    const TimePoint now = Clock::now();
    if (context_.config.rate > 0 && !pacer_.paced()) {
      pacer_ = Pacer(context_.config.rate, context_.config.connections, index_, now);
    }
    while (in_flight_.size() < pipeline) {
      if (pacer_.due_by(now) <= sequence_) return arm();
      in_flight_.push_back({pacer_.paced() ? pacer_.due_time(sequence_) : now, now});
      send(now, sequence_++);
    }
  }

  bool in_flight() const { return !in_flight_.empty(); }
  // The oldest request came back, carrying `payload_bytes`.
  void complete(std::uint64_t payload_bytes) {
    if (context_.counting()) {
      const TimePoint now = Clock::now();
      const Sent& sent = in_flight_.front();
      context_.record_latency(now - sent.due_at, now - sent.sent_at);
      context_.count_message(payload_bytes);
      ++window_messages_;
    }
    in_flight_.pop_front();
  }
  std::uint64_t window_messages() const { return window_messages_; }

 private:
  void arm() {
    if (armed_) return;
    armed_ = true;
    timer_ = context_.pace_timers->run_at(pacer_.due_time(sequence_), [this] {
      armed_ = false;
      wake_();
    });
  }

  struct Sent {
    TimePoint due_at, sent_at;
  };
  BenchContext& context_;
  const std::size_t index_;
  std::function<void()> wake_;
  Pacer pacer_;
  std::deque<Sent> in_flight_;
  std::uint64_t sequence_ = 0;  // Requests sent so far.
  PreciseTimers::Key timer_;
  bool armed_ = false;
  std::uint64_t window_messages_ = 0;
};

}  // namespace soket::clients::detail
