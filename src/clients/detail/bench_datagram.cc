#include "clients/detail/bench_datagram.h"

#include <sys/epoll.h>

#include <cstring>

#include "net/socket_ops.h"

namespace soket::clients::detail {
namespace {
constexpr int kMaxReadsPerEvent = 32;
constexpr std::size_t kSequenceBytes = 8;

void put_sequence(std::vector<std::byte>& message, std::uint64_t sequence) {
  for (std::size_t i = 0; i < kSequenceBytes && i < message.size(); ++i) {
    message[i] = static_cast<std::byte>((sequence >> (8 * i)) & 0xff);
  }
}

std::uint64_t get_sequence(std::span<const std::byte> reply) {
  std::uint64_t sequence = 0;
  for (std::size_t i = 0; i < kSequenceBytes && i < reply.size(); ++i) {
    sequence |= std::to_integer<std::uint64_t>(reply[i]) << (8 * i);
  }
  return sequence;
}
}  // namespace

BenchDatagram::BenchDatagram(reactor::EventLoop& loop, BenchContext& context, net::Fd fd,
                             std::size_t index)
    : loop_(loop),
      context_(context),
      fd_(std::move(fd)),
      message_(make_pattern(context.config.message_size, index, 1)),
      // Without room for a sequence number, replies cannot be matched: one in flight.
      slots_(context.config.message_size >= kSequenceBytes
                 ? static_cast<std::size_t>(context.config.pipeline)
                 : 1),
      index_(index) {}

BenchDatagram::~BenchDatagram() {
  if (pace_armed_) context_.pace_timers->cancel(pace_timer_);
  if (fd_.valid()) loop_.unwatch(fd_.get());
}

Result<void> BenchDatagram::start() {
  if (auto r = loop_.watch(fd_.get(), EPOLLIN, this); !r) return r;
  context_.open.fetch_add(1, std::memory_order_relaxed);
  context_.ever_connected.fetch_add(1, std::memory_order_relaxed);
  context_.settled.fetch_add(1, std::memory_order_relaxed);
  if (context_.config.mode != LoadMode::idle) {
    const TimePoint now = Clock::now();
    if (context_.config.rate > 0) {
      pacer_ = Pacer(context_.config.rate, context_.config.connections, index_, now);
    }
    pump(now);
  }
  return {};
}

void BenchDatagram::pump(TimePoint now) {
  if (context_.config.mode == LoadMode::idle) return;
  for (auto& slot : slots_) {
    if (slot.in_flight) continue;
    if (pacer_.due_by(now) <= next_sequence_) {
      if (!pace_armed_) {
        pace_armed_ = true;
        pace_timer_ = context_.pace_timers->run_at(pacer_.due_time(next_sequence_), [this] {
          pace_armed_ = false;
          pump(Clock::now());
        });
      }
      return;
    }
    send_into(slot, now);
  }
}

void BenchDatagram::send_into(Slot& slot, TimePoint now) {
  slot.sequence = next_sequence_++;
  slot.sent_at = now;
  slot.due_at = pacer_.paced() ? pacer_.due_time(slot.sequence) : now;
  slot.in_flight = true;
  put_sequence(message_, slot.sequence);
  // A full socket buffer loses the datagram as the network might: replace_lost() resends.
  (void)net::try_write(fd_.get(), message_);
}

void BenchDatagram::on_io(std::uint32_t) noexcept {
  for (int i = 0; i < kMaxReadsPerEvent; ++i) {
    auto got = net::try_read(fd_.get(), context_.scratch);
    if (!got) {
      // ECONNREFUSED: an ICMP error for an earlier datagram; the next one may yet pass.
      if (!net::is_would_block(got.error())) {
        context_.count_problem(FailureKind::io, got.error());
        continue;
      }
      return;
    }
    on_reply(std::span(context_.scratch).first(*got));
  }
}

void BenchDatagram::on_reply(std::span<const std::byte> reply) {
  const std::uint64_t sequence = get_sequence(reply);
  Slot& slot = slots_[sequence % slots_.size()];
  if (!slot.in_flight || slot.sequence != sequence) return;  // A late reply to a lost one.
  put_sequence(message_, sequence);
  if (reply.size() != message_.size() ||
      std::memcmp(reply.data(), message_.data(), message_.size()) != 0) {
    context_.count_problem(FailureKind::integrity);
  } else if (context_.counting()) {
    const TimePoint now = Clock::now();
    context_.record_latency(now - slot.due_at, now - slot.sent_at);
    context_.count_message(reply.size());
    ++window_messages_;
  }
  slot.in_flight = false;
  pump(Clock::now());
}

void BenchDatagram::replace_lost(TimePoint now) {
  for (auto& slot : slots_) {
    if (slot.in_flight && now - slot.sent_at > kLostAfter) {
      context_.count_problem(FailureKind::lost);
      slot.in_flight = false;
    }
  }
  pump(now);
}

}  // namespace soket::clients::detail
