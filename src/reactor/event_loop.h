// EventLoop: one epoll instance, its timers and its task queue, run by one thread.
//
// Each iteration has fixed phases, in this order:
//   1. wait for I/O (epoll_wait, or an installed Waiter, bounded by the next timer; no wait
//      if tasks are queued);
//   2. I/O handlers, for every ready fd still watched with the same registration (the
//      Waiter's completions first);
//   3. due timers;
//   4. tasks posted from any thread;
//   5. deferred work (closing connections), so nothing is destroyed while a handler that
//      might still refer to it is on the stack.
//
// Thread-safety: post(), stop() and in_loop_thread() may be called from any thread; every
// other member only from the loop's own thread, which the debug build asserts.
#pragma once

#include <sys/epoll.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/mutex.h"
#include "core/result.h"
#include "net/fd.h"
#include "reactor/io_handler.h"
#include "reactor/timer_queue.h"
#include "reactor/waiter.h"

namespace soket::reactor {

class EventLoop {
 public:
  using Task = std::function<void()>;

  // Throws std::system_error if the kernel gives no epoll or eventfd: setup, not runtime.
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Runs iterations until stop(). Binds the loop to the calling thread.
  void run();
  void stop();
  void post(Task task);
  bool in_loop_thread() const { return std::this_thread::get_id() == owner_; }
  void assert_in_loop_thread() const;

  // Loop thread only. `handler` must stay alive until unwatch(fd) (or the end of the
  // iteration in which unwatch was called).
  Result<void> watch(int fd, std::uint32_t events, IoHandler* handler);
  Result<void> modify(int fd, std::uint32_t events);
  void unwatch(int fd);
  std::size_t watched_count() const { return watched_; }
  // Loop thread only: phase 1 blocks in `waiter` instead of epoll_wait (nullptr: epoll again).
  // It must stay alive until replaced.
  void set_waiter(Waiter* waiter) { waiter_ = waiter; }
  Waiter* waiter() const { return waiter_; }

  TimerId run_at(TimePoint when, Task task) { return timers_.add(when, std::move(task)); }
  TimerId run_after(Duration delay, Task task) { return run_at(now_ + delay, std::move(task)); }
  void cancel(TimerId id) { timers_.cancel(id); }
  // Runs at the end of this iteration (phase 5).
  void defer(Task task) { deferred_.push_back(std::move(task)); }

  // The time at the start of this iteration's handlers: cheap, and the same for all of them.
  TimePoint now() const { return now_; }

 private:
  struct Slot {
    IoHandler* handler = nullptr;
    std::uint32_t generation = 0;
  };
  class Wakeup;

  void run_one_iteration();
  int wait_for_events();
  int wait_timeout_ms() const;
  void dispatch(const epoll_event& event);
  void run_posted_tasks();
  void run_deferred();

  net::Fd epoll_;
  std::unique_ptr<Wakeup> wakeup_;
  std::vector<Slot> slots_;  // Indexed by fd.
  std::uint32_t next_generation_ = 1;
  std::size_t watched_ = 0;
  TimerQueue timers_;
  std::vector<Task> deferred_;
  std::vector<epoll_event> events_;
  Waiter* waiter_ = nullptr;
  TimePoint now_;
  std::thread::id owner_;
  std::atomic<bool> stop_requested_{false};

  Mutex tasks_mutex_;
  std::vector<Task> posted_ GUARDED_BY(tasks_mutex_);
  std::atomic<bool> tasks_pending_{false};
};

}  // namespace soket::reactor
