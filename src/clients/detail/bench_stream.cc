#include "clients/detail/bench_stream.h"

#include <sys/epoll.h>

#include <algorithm>
#include <cstring>

#include "net/socket_ops.h"

namespace soket::clients::detail {
namespace {
constexpr int kMaxReadsPerEvent = 8;
constexpr std::uint64_t kUnlimited = ~std::uint64_t{0};
}  // namespace

std::vector<std::byte> make_pattern(std::size_t message_size, std::size_t index,
                                    std::size_t repeats) {
  std::vector<std::byte> pattern(message_size * repeats);
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const std::size_t k = i % message_size;
    pattern[i] = static_cast<std::byte>((k * 31 + index * 17 + (k >> 8) + 1) & 0xff);
  }
  return pattern;
}

BenchStream::BenchStream(reactor::EventLoop& loop, BenchContext& context, net::Fd fd,
                         std::size_t index)
    : loop_(loop),
      context_(context),
      fd_(std::move(fd)),
      size_(context.config.message_size),
      stream_(context.config.mode == LoadMode::stream),
      index_(index) {
  const auto pipeline = static_cast<std::size_t>(context.config.pipeline);
  const std::size_t repeats =
      stream_ ? std::max<std::size_t>(2, 128 * 1024 / size_ + 2) : pipeline + 1;
  pattern_ = make_pattern(size_, index, repeats);
  sent_at_.resize(pipeline);
}

BenchStream::~BenchStream() {
  if (pace_armed_) context_.pace_timers->cancel(pace_timer_);
  if (fd_.valid()) loop_.unwatch(fd_.get());
}

Result<void> BenchStream::start() {
  return loop_.watch(fd_.get(), EPOLLIN | EPOLLOUT, this);
}

void BenchStream::on_io(std::uint32_t events) noexcept {
  if (!connected_) {
    if (auto error = net::pending_error(fd_.get()); error || (events & EPOLLERR) != 0) {
      fail(FailureKind::connect, error);
      return;
    }
    on_connected();
  }
  if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) on_readable();
  if (open() && want_write_ && (events & EPOLLOUT) != 0) send_what_is_allowed();
}

void BenchStream::on_connected() {
  connected_ = true;
  context_.open.fetch_add(1, std::memory_order_relaxed);
  context_.ever_connected.fetch_add(1, std::memory_order_relaxed);
  context_.settled.fetch_add(1, std::memory_order_relaxed);
  if (context_.config.mode == LoadMode::idle) {
    set_want_write(false);
    return;
  }
  if (context_.config.rate > 0) {
    pacer_ = Pacer(context_.config.rate, context_.config.connections, index_, Clock::now());
  }
  send_what_is_allowed();
}

std::uint64_t BenchStream::send_limit(TimePoint now) {
  if (stream_) return kUnlimited;
  std::uint64_t messages = received_ / size_ + sent_at_.size();  // The pipeline's credit.
  if (pacer_.paced()) {
    const std::uint64_t due = pacer_.due_by(now);
    if (due < messages) {
      messages = due;
      if (!pace_armed_) {
        pace_armed_ = true;
        pace_timer_ = context_.pace_timers->run_at(pacer_.due_time(due), [this] {
          pace_armed_ = false;
          if (open()) send_what_is_allowed();
        });
      }
    }
  }
  return messages * size_;
}

void BenchStream::send_what_is_allowed() {
  const std::size_t window = pattern_.size() - size_;  // Largest contiguous send.
  const std::uint64_t limit = send_limit(Clock::now());
  while (sent_ < limit) {
    const std::size_t phase = sent_ % size_;
    const std::size_t length =
        static_cast<std::size_t>(std::min<std::uint64_t>(limit - sent_, window));
    auto written = net::try_write(fd_.get(), std::span(pattern_).subspan(phase, length));
    if (!written) {
      if (net::is_would_block(written.error())) break;
      fail(FailureKind::io, written.error());
      return;
    }
    if (!stream_) {
      const TimePoint now = Clock::now();
      // Each message whose first byte went out now starts its latency clock.
      for (std::uint64_t m = (sent_ + size_ - 1) / size_; m * size_ < sent_ + *written; ++m) {
        sent_at_[m % sent_at_.size()] = now;
      }
    }
    sent_ += *written;
    if (*written < length) break;
  }
  set_want_write(sent_ < limit);
}

void BenchStream::on_readable() {
  for (int i = 0; i < kMaxReadsPerEvent; ++i) {
    auto got = net::try_read(fd_.get(), context_.scratch);
    if (!got) {
      if (!net::is_would_block(got.error())) fail(FailureKind::io, got.error());
      return;
    }
    if (*got == 0) {
      fail(FailureKind::closed);  // The server closed on us.
      return;
    }
    if (!check(std::span(context_.scratch).first(*got))) {
      fail(FailureKind::integrity);
      return;
    }
    const std::uint64_t before = received_;
    received_ += *got;
    complete_messages(before, received_);
    if (*got < context_.scratch.size()) break;
  }
  if (!stream_ && context_.config.mode != LoadMode::idle) send_what_is_allowed();
}

bool BenchStream::check(std::span<const std::byte> bytes) {
  std::uint64_t position = received_;
  while (!bytes.empty()) {
    const std::size_t phase = position % size_;
    const std::size_t length = std::min(bytes.size(), size_ - phase);
    if (std::memcmp(bytes.data(), pattern_.data() + phase, length) != 0) return false;
    bytes = bytes.subspan(length);
    position += length;
  }
  return true;
}

void BenchStream::complete_messages(std::uint64_t before, std::uint64_t after) {
  const std::uint64_t done = after / size_ - before / size_;
  if (done == 0) return;
  const bool counting = context_.counting();
  const TimePoint now = stream_ ? TimePoint{} : Clock::now();
  for (std::uint64_t m = before / size_; m < after / size_; ++m) {
    if (counting) {
      if (!stream_) {
        const auto uncorrected = now - sent_at_[m % sent_at_.size()];
        context_.record_latency(pacer_.paced() ? now - pacer_.due_time(m) : uncorrected,
                                uncorrected);
      }
      context_.count_message(size_);
      ++window_messages_;
    }
  }
}

void BenchStream::set_want_write(bool want) {
  if (want == want_write_ || !open()) return;
  want_write_ = want;
  (void)loop_.modify(fd_.get(), want ? (EPOLLIN | EPOLLOUT) : EPOLLIN);
}

void BenchStream::fail(FailureKind kind, std::error_code error) {
  if (!open()) return;
  // Refused or reset before the connection was ever usable: it was never made.
  if (!connected_ && kind != FailureKind::integrity) kind = FailureKind::connect;
  context_.count_failure(kind, connected_, error);
  loop_.unwatch(fd_.get());
  fd_.reset();
}

}  // namespace soket::clients::detail
