#include "clients/load_generator.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "clients/detail/bench_context.h"
#include "clients/detail/bench_datagram.h"
#include "clients/detail/bench_lines.h"
#include "clients/detail/bench_pubsub.h"
#include "clients/detail/bench_stream.h"
#include "clients/process_sample.h"
#include "net/socket_ops.h"
#include "reactor/loop_pool.h"

namespace soket::clients {
namespace {

using detail::BenchContext;
constexpr int kConnectsPerBatch = 128;
constexpr auto kConnectDeadline = std::chrono::seconds(15);
constexpr auto kTick = std::chrono::milliseconds(10);

// The connections of one loop. Created, used and destroyed on that loop's thread.
class LoadThread {
 public:
  LoadThread(reactor::EventLoop& loop, BenchContext& context,
             const std::vector<net::Address>& targets, std::size_t first_index, int count)
      : loop_(loop),
        context_(context),
        targets_(targets),
        next_index_(first_index),
        remaining_(count),
        pace_timers_(loop) {
    context_.pace_timers = &pace_timers_;
  }

  void begin() {
    connect_batch();
    if (context_.config.transport == net::Transport::udp) arm_loss_timer();
  }

  // Records each open connection's count for the fairness figure, then closes them all.
  void finish() {
    loop_.cancel(loss_timer_);
    for (const auto& s : streams_) {
      if (s->open()) context_.per_connection.push_back(s->window_messages());
    }
    for (const auto& d : datagrams_) {
      if (d->open()) context_.per_connection.push_back(d->window_messages());
    }
    for (const auto& l : lines_) {
      if (l->open()) context_.per_connection.push_back(l->window_messages());
    }
    for (const auto& m : pubsub_) {
      if (m->open()) context_.per_connection.push_back(m->window_messages());
    }
    streams_.clear();
    datagrams_.clear();
    lines_.clear();
    pubsub_.clear();
    pace_timers_.stop();
  }

 private:
  void connect_batch() {
    for (int i = 0; i < kConnectsPerBatch && remaining_ > 0; ++i, --remaining_) connect_one();
    // Batches let the loop answer the connections already made between two of them.
    if (remaining_ > 0) loop_.post([this] { connect_batch(); });
  }

  Result<net::Fd> connect_to(const net::Address& target) {
    const bool tcp = context_.config.transport == net::Transport::tcp;
    auto fd = net::open_socket(target.family(), tcp ? SOCK_STREAM : SOCK_DGRAM);
    if (!fd) return fd.error();
    if (::connect(fd->get(), target.data(), target.length()) != 0 && errno != EINPROGRESS) {
      return std::error_code(errno, std::system_category());
    }
    return fd;
  }

  void connect_one() {
    const net::Address& target = targets_[next_index_ % targets_.size()];
    auto fd = connect_to(target);
    if (!fd) return context_.count_failure(detail::FailureKind::connect, false, fd.error());
    const std::size_t index = next_index_++;
    const auto& config = context_.config;
    Result<void> started;
    if (config.workload == Workload::chat && config.chat_protocol == ChatProtocol::redis) {
      auto publisher = connect_to(target);
      if (!publisher) {
        return context_.count_failure(detail::FailureKind::connect, false, publisher.error());
      }
      pubsub_.push_back(std::make_unique<detail::BenchPubSub>(
          loop_, context_, std::move(fd).value(), std::move(publisher).value(), index));
      started = pubsub_.back()->start();
    } else if (config.workload != Workload::echo) {
      lines_.push_back(
          std::make_unique<detail::BenchLines>(loop_, context_, std::move(fd).value(), index));
      started = lines_.back()->start();
    } else if (config.transport == net::Transport::tcp) {
      streams_.push_back(
          std::make_unique<detail::BenchStream>(loop_, context_, std::move(fd).value(), index));
      started = streams_.back()->start();
    } else {
      datagrams_.push_back(
          std::make_unique<detail::BenchDatagram>(loop_, context_, std::move(fd).value(), index));
      started = datagrams_.back()->start();
    }
    if (!started) context_.count_failure(detail::FailureKind::connect, false, started.error());
  }

  void arm_loss_timer() {
    loss_timer_ = loop_.run_after(std::chrono::milliseconds(200), [this] {
      for (auto& d : datagrams_) d->replace_lost(loop_.now());
      arm_loss_timer();
    });
  }

  reactor::EventLoop& loop_;
  BenchContext& context_;
  std::vector<net::Address> targets_;
  std::size_t next_index_;
  int remaining_;
  std::vector<std::unique_ptr<detail::BenchStream>> streams_;
  std::vector<std::unique_ptr<detail::BenchDatagram>> datagrams_;
  std::vector<std::unique_ptr<detail::BenchLines>> lines_;
  std::vector<std::unique_ptr<detail::BenchPubSub>> pubsub_;
  reactor::TimerId loss_timer_;
  detail::PreciseTimers pace_timers_;
};

// The run's timeline, on the calling thread's loop: connect, warm up, measure, finish.
class LoadSession {
 public:
  LoadSession(const LoadConfig& config, reactor::EventLoop& base) : config_(config), base_(base) {}

  Result<LoadReport> run(const std::vector<net::Address>& targets) {
    if (config_.server_pid) baseline_ = sample_process(*config_.server_pid);
    reactor::LoopPool pool(base_, config_.threads);
    pool.start();
    const auto& loops = pool.loops();
    for (std::size_t i = 0; i < loops.size(); ++i) {
      contexts_.push_back(std::make_unique<BenchContext>(config_, measuring_));
      const int share =
          config_.connections / static_cast<int>(loops.size()) +
          (static_cast<int>(i) < config_.connections % static_cast<int>(loops.size()));
      const std::size_t first = i * static_cast<std::size_t>(config_.connections);
      threads_.push_back(
          std::make_unique<LoadThread>(*loops[i], *contexts_[i], targets, first, share));
    }
    for (std::size_t i = 0; i < loops.size(); ++i) {
      loops[i]->post([t = threads_[i].get()] { t->begin(); });
    }
    started_ = Clock::now();
    next_progress_ = started_ + std::chrono::seconds(1);
    connect_deadline_ = started_ + kConnectDeadline;
    tick_timer_ = base_.run_after(kTick, [this, &loops] { tick(loops); });
    base_.run();
    pool.join();
    if (sum(&BenchContext::ever_connected) == 0) {
      // Not one connection: the cause of the first failure (refused, unreachable ...).
      for (const auto& c : contexts_) {
        if (c->first_error) return c->first_error;
      }
      return std::make_error_code(std::errc::connection_refused);
    }
    return summarise();
  }

 private:
  enum class Phase { connecting, warmup, measuring, finishing };

  int sum(std::atomic<int> BenchContext::*field) const {
    int total = 0;
    for (const auto& c : contexts_) total += ((*c).*field).load(std::memory_order_relaxed);
    return total;
  }
  std::uint64_t sum64(std::atomic<std::uint64_t> BenchContext::*field) const {
    std::uint64_t total = 0;
    for (const auto& c : contexts_) total += ((*c).*field).load(std::memory_order_relaxed);
    return total;
  }

  void tick(const std::vector<reactor::EventLoop*>& loops) {
    const TimePoint now = Clock::now();
    advance(now, loops);
    if (phase_ == Phase::finishing) return;
    if (config_.on_progress && now >= next_progress_) {
      next_progress_ += std::chrono::seconds(1);
      config_.on_progress({std::chrono::duration<double>(now - started_).count(),
                           sum64(&BenchContext::messages), sum64(&BenchContext::bytes),
                           sum(&BenchContext::open), phase_ == Phase::measuring});
    }
    tick_timer_ = base_.run_after(kTick, [this, &loops] { tick(loops); });
  }

  void advance(TimePoint now, const std::vector<reactor::EventLoop*>& loops) {
    switch (phase_) {
      case Phase::connecting:
        if (sum(&BenchContext::settled) < config_.connections && now < connect_deadline_) return;
        report_.connected = sum(&BenchContext::ever_connected);
        if (sum(&BenchContext::open) == 0) return finish(loops);
        phase_ = Phase::warmup;
        phase_end_ = now + config_.warmup;
        return;
      case Phase::warmup:
        if (now < phase_end_) return;
        if (config_.server_pid) window_start_sample_ = sample_process(*config_.server_pid);
        window_start_ = now;
        interval_started_ = now;
        measuring_.store(true);
        phase_ = Phase::measuring;
        phase_end_ = now + config_.duration;
        return;
      case Phase::measuring:
        if (now < phase_end_) return close_due_intervals(now, loops);
        // Counting stops before the last slices are taken, so every sample of the window
        // is in one of them (unless it fell in a sliver that is left out).
        measuring_.store(false);
        window_end_ = now;
        close_due_intervals(now, loops);
        close_last_interval(now, loops);
        if (config_.server_pid) window_end_sample_ = sample_process(*config_.server_pid);
        return finish(loops);
      case Phase::finishing:
        return;
    }
  }

  // Intervals: slices of the measured window, each closed at the first tick past its end
  // (so within 10 ms of it). Counts come from the counters; each loop hands over its slice
  // of latencies by a posted task, and the interval is reported once all have answered.
  // Loops run posted tasks in order, so intervals complete in order, and all before the
  // tasks that finish the run.
  void close_due_intervals(TimePoint now, const std::vector<reactor::EventLoop*>& loops) {
    const Duration interval = config_.interval;
    if (interval.count() <= 0) return;
    for (int guard = 0; guard < 1000; ++guard) {
      const TimePoint end = window_start_ + interval * (intervals_closed_ + 1);
      if (now < end || end > phase_end_) return;
      close_interval(now, loops, std::chrono::duration<double>(end - window_start_).count());
    }
  }

  // The slice after the last whole interval, unless it is under a tenth of one (iperf3
  // leaves out such a sliver too).
  void close_last_interval(TimePoint now, const std::vector<reactor::EventLoop*>& loops) {
    const Duration interval = config_.interval;
    if (interval.count() <= 0) return;
    const TimePoint start = window_start_ + interval * intervals_closed_;
    if (phase_end_ - start < interval / 10) return;
    close_interval(now, loops, std::chrono::duration<double>(config_.duration).count());
  }

  void close_interval(TimePoint now, const std::vector<reactor::EventLoop*>& loops,
                      double nominal_end) {
    const std::size_t number = intervals_closed_++;
    IntervalReport report;
    report.start = std::chrono::duration<double>(config_.interval * number).count();
    report.end = nominal_end;
    const std::uint64_t messages = sum64(&BenchContext::messages);
    const std::uint64_t bytes = sum64(&BenchContext::bytes);
    report.messages = messages - interval_messages_;
    report.bytes = bytes - interval_bytes_;
    const double seconds = std::chrono::duration<double>(now - interval_started_).count();
    if (seconds > 0) {
      report.messages_per_second = static_cast<double>(report.messages) / seconds;
      report.megabytes_per_second = static_cast<double>(report.bytes) / seconds / 1e6;
    }
    interval_messages_ = messages;
    interval_bytes_ = bytes;
    interval_started_ = now;
    pending_[number] = Pending{report, {}, 0};
    for (std::size_t i = 0; i < loops.size(); ++i) {
      loops[i]->post([this, i, number] {
        auto slice = std::make_shared<LatencyHistogram>(
            std::exchange(contexts_[i]->interval_histogram, LatencyHistogram{}));
        base_.post([this, number, slice] { add_interval_slice(number, *slice); });
      });
    }
  }

  void add_interval_slice(std::size_t number, const LatencyHistogram& slice) {
    auto& pending = pending_[number];
    pending.latencies.merge(slice);
    if (++pending.replies < threads_.size()) return;
    pending.report.latency = LatencySummary::of(pending.latencies);
    report_.intervals.push_back(pending.report);
    pending_.erase(number);
    if (config_.on_interval) config_.on_interval(report_.intervals.back());
  }

  void finish(const std::vector<reactor::EventLoop*>& loops) {
    phase_ = Phase::finishing;
    for (std::size_t i = 0; i < loops.size(); ++i) {
      loops[i]->post([this, i] {
        threads_[i]->finish();
        base_.post([this] {
          if (++finished_ == threads_.size()) base_.stop();
        });
      });
    }
  }

  LoadReport summarise() {
    LoadReport& r = report_;
    r.seconds = std::chrono::duration<double>(window_end_ - window_start_).count();
    r.messages = sum64(&BenchContext::messages);
    r.bytes = sum64(&BenchContext::bytes);
    r.connect_failures = sum64(&BenchContext::connect_failures);
    r.closed_by_peer = sum64(&BenchContext::closed_by_peer);
    r.io_errors = sum64(&BenchContext::io_errors);
    r.lost_datagrams = sum64(&BenchContext::lost_datagrams);
    r.errors = r.connect_failures + r.closed_by_peer + r.io_errors + r.lost_datagrams;
    r.deliveries = sum64(&BenchContext::deliveries);
    r.integrity_failures = sum64(&BenchContext::integrity_failures);
    if (r.seconds > 0) {
      r.messages_per_second = static_cast<double>(r.messages) / r.seconds;
      r.megabytes_per_second = static_cast<double>(r.bytes) / r.seconds / 1e6;
      r.deliveries_per_second = static_cast<double>(r.deliveries) / r.seconds;
    }
    LatencyHistogram uncorrected, delivered;
    std::vector<std::uint64_t> counts;
    for (const auto& c : contexts_) {
      r.histogram.merge(c->histogram);
      uncorrected.merge(c->uncorrected_histogram);
      delivered.merge(c->delivery_histogram);
      counts.insert(counts.end(), c->per_connection.begin(), c->per_connection.end());
      if (!r.first_error) r.first_error = c->first_error;
    }
    r.latency = LatencySummary::of(r.histogram);
    if (config_.workload == Workload::chat) r.delivery_latency = LatencySummary::of(delivered);
    if (config_.rate > 0) {
      r.uncorrected = LatencySummary::of(uncorrected);
      r.scheduled_messages = config_.rate * r.seconds;
      // Each connection may be a message off its schedule at either end of the window.
      r.rate_reached = static_cast<double>(r.messages + static_cast<std::uint64_t>(r.connected)) >=
                       0.95 * r.scheduled_messages;
    }
    r.fairness = fairness(counts);
    add_server_figures(r);
    return r;
  }

  static double fairness(const std::vector<std::uint64_t>& counts) {
    if (counts.empty()) return 0;
    std::uint64_t total = 0;
    for (auto c : counts) total += c;
    if (total == 0) return 0;
    const double mean = static_cast<double>(total) / static_cast<double>(counts.size());
    return static_cast<double>(*std::min_element(counts.begin(), counts.end())) / mean;
  }

  void add_server_figures(LoadReport& r) const {
    if (!window_end_sample_) return;
    r.server_rss_bytes = window_end_sample_->rss_bytes;
    if (window_start_sample_ && r.messages > 0) {
      const auto cpu = window_end_sample_->cpu - window_start_sample_->cpu;
      r.server_cpu_ns_per_message =
          static_cast<double>(cpu.count()) / static_cast<double>(r.messages);
    }
    if (baseline_ && r.connected > 0) {
      const auto grown = static_cast<double>(window_end_sample_->rss_bytes) -
                         static_cast<double>(baseline_->rss_bytes);
      r.server_rss_bytes_per_connection = grown / r.connected;
    }
  }

  const LoadConfig& config_;
  reactor::EventLoop& base_;
  std::atomic<bool> measuring_{false};
  std::vector<std::unique_ptr<BenchContext>> contexts_;
  std::vector<std::unique_ptr<LoadThread>> threads_;
  Phase phase_ = Phase::connecting;
  TimePoint started_, next_progress_, connect_deadline_, phase_end_, window_start_, window_end_;
  reactor::TimerId tick_timer_;
  std::size_t finished_ = 0;
  struct Pending {
    IntervalReport report;
    LatencyHistogram latencies;
    std::size_t replies = 0;
  };
  std::map<std::size_t, Pending> pending_;
  std::size_t intervals_closed_ = 0;
  std::uint64_t interval_messages_ = 0, interval_bytes_ = 0;
  TimePoint interval_started_;
  std::optional<ProcessSample> baseline_, window_start_sample_, window_end_sample_;
  LoadReport report_;
};

}  // namespace

LatencySummary LatencySummary::of(const LatencyHistogram& histogram) {
  LatencySummary s;
  s.count = histogram.count();
  s.min_ns = histogram.min();
  s.max_ns = histogram.max();
  s.mean_ns = histogram.mean();
  s.stddev_ns = histogram.stddev();
  s.p50_ns = histogram.percentile(0.50);
  s.p90_ns = histogram.percentile(0.90);
  s.p99_ns = histogram.percentile(0.99);
  s.p999_ns = histogram.percentile(0.999);
  s.p9999_ns = histogram.percentile(0.9999);
  return s;
}

Result<LoadReport> run_load(const LoadConfig& config) {
  auto addresses = net::resolve(config.host, config.port, config.transport);
  if (!addresses) return addresses.error();
  reactor::EventLoop base;
  LoadSession session(config, base);
  std::vector<net::Address> targets = {addresses->front()};
  for (const auto port : config.more_ports) {
    targets.push_back(addresses->front());
    targets.back().set_port(port);
  }
  return session.run(targets);
}

}  // namespace soket::clients
