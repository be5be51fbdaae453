#include "reactor/event_loop.h"

#include <sys/eventfd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <system_error>

namespace soket::reactor {

// Wakeup: an eventfd that post() and stop() write to, so a loop asleep in epoll_wait
// notices work from another thread at once.
class EventLoop::Wakeup final : public IoHandler {
 public:
  Wakeup() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (!fd_.valid()) throw std::system_error(last_system_error(), "eventfd");
  }
  int fd() const { return fd_.get(); }
  void notify() {
    const std::uint64_t one = 1;
    // EAGAIN means the counter is saturated: the loop will wake anyway.
    [[maybe_unused]] auto n = ::write(fd_.get(), &one, sizeof one);
  }
  void on_io(std::uint32_t) noexcept override {
    std::uint64_t count;
    [[maybe_unused]] auto n = ::read(fd_.get(), &count, sizeof count);
  }

 private:
  net::Fd fd_;
};

EventLoop::EventLoop()
    : epoll_(::epoll_create1(EPOLL_CLOEXEC)),
      events_(256),
      now_(Clock::now()),
      owner_(std::this_thread::get_id()) {
  if (!epoll_.valid()) throw std::system_error(last_system_error(), "epoll_create1");
  wakeup_ = std::make_unique<Wakeup>();
  if (auto r = watch(wakeup_->fd(), EPOLLIN, wakeup_.get()); !r) {
    throw std::system_error(r.error(), "epoll_ctl");
  }
}

EventLoop::~EventLoop() = default;

void EventLoop::assert_in_loop_thread() const {
  assert(in_loop_thread());
}

void EventLoop::run() {
  owner_ = std::this_thread::get_id();
  while (!stop_requested_.load(std::memory_order_acquire)) run_one_iteration();
  // Work queued by the last iteration still runs: a close deferred there must happen.
  run_posted_tasks();
  run_deferred();
  // A stop ends this run only; the loop may be run again (tests do, between checks).
  stop_requested_.store(false, std::memory_order_release);
}

void EventLoop::stop() {
  stop_requested_.store(true, std::memory_order_release);
  wakeup_->notify();
}

void EventLoop::post(Task task) {
  {
    MutexLock lock(tasks_mutex_);
    posted_.push_back(std::move(task));
  }
  tasks_pending_.store(true, std::memory_order_release);
  if (!in_loop_thread()) wakeup_->notify();
}

Result<void> EventLoop::watch(int fd, std::uint32_t events, IoHandler* handler) {
  assert_in_loop_thread();
  if (static_cast<std::size_t>(fd) >= slots_.size())
    slots_.resize(static_cast<std::size_t>(fd) + 64);
  Slot& slot = slots_[static_cast<std::size_t>(fd)];
  // The generation in the event's data tells a stale event for a closed fd from one for a
  // new socket that the kernel gave the same number within the same iteration.
  slot.generation = next_generation_++;
  slot.handler = handler;
  epoll_event event{};
  event.events = events;
  event.data.u64 = (std::uint64_t{slot.generation} << 32) | static_cast<std::uint32_t>(fd);
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event) != 0) {
    auto error = last_system_error();
    slot.handler = nullptr;
    return error;
  }
  ++watched_;
  return {};
}

Result<void> EventLoop::modify(int fd, std::uint32_t events) {
  assert_in_loop_thread();
  const Slot& slot = slots_[static_cast<std::size_t>(fd)];
  epoll_event event{};
  event.events = events;
  event.data.u64 = (std::uint64_t{slot.generation} << 32) | static_cast<std::uint32_t>(fd);
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, fd, &event) != 0) return last_system_error();
  return {};
}

void EventLoop::unwatch(int fd) {
  assert_in_loop_thread();
  if (static_cast<std::size_t>(fd) >= slots_.size()) return;
  Slot& slot = slots_[static_cast<std::size_t>(fd)];
  if (slot.handler == nullptr) return;
  slot.handler = nullptr;
  --watched_;
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
}

int EventLoop::wait_timeout_ms() const {
  if (tasks_pending_.load(std::memory_order_acquire) || !deferred_.empty()) return 0;
  const auto deadline = timers_.next_deadline();
  if (!deadline) return -1;
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - Clock::now());
  return static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(left.count(), 0, 60'000));
}

// Phases 1 and 2 up to the epoll handlers: returns how many epoll events are ready.
int EventLoop::wait_for_events() {
  const int max_events = static_cast<int>(events_.size());
  if (waiter_ == nullptr) {
    const int ready = ::epoll_wait(epoll_.get(), events_.data(), max_events, wait_timeout_ms());
    now_ = Clock::now();
    return ready;
  }
  waiter_->wait(epoll_.get(), wait_timeout_ms());
  now_ = Clock::now();
  if (!waiter_->dispatch()) return 0;
  return ::epoll_wait(epoll_.get(), events_.data(), max_events, 0);
}

void EventLoop::run_one_iteration() {
  const int ready = wait_for_events();
  for (int i = 0; i < ready; ++i) dispatch(events_[static_cast<std::size_t>(i)]);
  // A full batch hints at more: grow so the next wait takes them in one call.
  if (ready == static_cast<int>(events_.size())) events_.resize(events_.size() * 2);
  timers_.run_due(now_);
  run_posted_tasks();
  run_deferred();
}

void EventLoop::dispatch(const epoll_event& event) {
  const auto fd = static_cast<std::uint32_t>(event.data.u64 & 0xffffffffu);
  const auto generation = static_cast<std::uint32_t>(event.data.u64 >> 32);
  if (fd >= slots_.size()) return;
  const Slot& slot = slots_[fd];
  // An earlier handler in this batch may have closed this fd: skip its stale event.
  if (slot.handler == nullptr || slot.generation != generation) return;
  slot.handler->on_io(event.events);
}

void EventLoop::run_posted_tasks() {
  if (!tasks_pending_.exchange(false, std::memory_order_acq_rel)) return;
  std::vector<Task> tasks;
  {
    MutexLock lock(tasks_mutex_);  // Held only to swap, never while a task runs.
    tasks.swap(posted_);
  }
  for (auto& task : tasks) task();
}

void EventLoop::run_deferred() {
  // Deferred work may defer more (a close that frees another); run until none is left.
  while (!deferred_.empty()) {
    std::vector<Task> batch;
    batch.swap(deferred_);
    for (auto& task : batch) task();
  }
}

}  // namespace soket::reactor
