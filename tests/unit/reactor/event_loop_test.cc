#include "reactor/event_loop.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>
#include <vector>

#include "reactor/loop_pool.h"

namespace soket::reactor {
namespace {

using namespace std::chrono_literals;

TEST(EventLoop, TimersFireInOrderAndStopTheLoop) {
  // Before the loop: its timers count from the loop's own clock, read when it was made (as
  // libuv's do), which a slow machine may have read a millisecond before a later `start`.
  const auto start = Clock::now();
  EventLoop loop;
  std::vector<int> order;
  loop.run_after(30ms, [&] {
    order.push_back(2);
    loop.stop();
  });
  loop.run_after(10ms, [&] { order.push_back(1); });
  loop.run();
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
  EXPECT_GE(Clock::now() - start, 30ms);
}

TEST(EventLoop, PostFromAnotherThreadWakesTheLoop) {
  EventLoop loop;
  std::thread::id ran_on;
  std::thread poster([&] {
    loop.post([&] {
      ran_on = std::this_thread::get_id();
      loop.stop();
    });
  });
  // A long safety timer bounds the test if the wakeup were lost.
  bool timed_out = false;
  loop.run_after(10s, [&] {
    timed_out = true;
    loop.stop();
  });
  loop.run();
  poster.join();
  EXPECT_FALSE(timed_out);
  EXPECT_EQ(ran_on, std::this_thread::get_id());
}

struct Recorder final : IoHandler {
  std::function<void(std::uint32_t)> on_event;
  void on_io(std::uint32_t events) noexcept override { on_event(events); }
};

TEST(EventLoop, HandlerMayUnwatchAnotherFdReadyInTheSameBatch) {
  EventLoop loop;
  int a[2], b[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, a), 0);
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, b), 0);
  ASSERT_EQ(::write(a[1], "x", 1), 1);
  ASSERT_EQ(::write(b[1], "x", 1), 1);
  int calls = 0;
  Recorder first, second;
  // Whichever runs first unwatches the other: exactly one handler may run.
  first.on_event = [&](std::uint32_t) {
    ++calls;
    loop.unwatch(b[0]);
    loop.unwatch(a[0]);
    loop.stop();
  };
  second.on_event = [&](std::uint32_t) {
    ++calls;
    loop.unwatch(a[0]);
    loop.unwatch(b[0]);
    loop.stop();
  };
  ASSERT_TRUE(loop.watch(a[0], EPOLLIN, &first).ok());
  ASSERT_TRUE(loop.watch(b[0], EPOLLIN, &second).ok());
  loop.run();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(loop.watched_count(), 1u);  // Only the loop's own wakeup fd is left.
  for (int fd : {a[0], a[1], b[0], b[1]}) ::close(fd);
}

TEST(EventLoop, DeferredWorkRunsAfterTheHandlers) {
  EventLoop loop;
  std::vector<std::string> order;
  loop.post([&] {
    loop.defer([&] {
      order.push_back("deferred");
      loop.stop();
    });
    order.push_back("task");
  });
  loop.run();
  EXPECT_EQ(order, (std::vector<std::string>{"task", "deferred"}));
}

// A Waiter that blocks in poll(2) on the epoll fd, as an io_uring engine blocks in the ring.
struct PollingWaiter final : Waiter {
  std::vector<int> timeouts;
  bool epoll_readable = false;
  void wait(int epoll_fd, int timeout_ms) noexcept override {
    timeouts.push_back(timeout_ms);
    pollfd p{epoll_fd, POLLIN, 0};
    epoll_readable = ::poll(&p, 1, timeout_ms) == 1;
  }
  bool dispatch() noexcept override { return epoll_readable; }
};

TEST(EventLoop, WaiterBlocksInPlaceOfEpollAndHandsOverItsEvents) {
  EventLoop loop;
  PollingWaiter waiter;
  loop.set_waiter(&waiter);
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, pair), 0);
  Recorder reader;
  std::uint32_t seen = 0;
  reader.on_event = [&](std::uint32_t events) {
    seen = events;
    loop.stop();
  };
  ASSERT_TRUE(loop.watch(pair[0], EPOLLIN, &reader).ok());
  // The timer bounds the wait the loop asks of the waiter; its handler makes the fd ready.
  loop.run_after(20ms, [&] { ASSERT_EQ(::write(pair[1], "x", 1), 1); });
  loop.run_after(10s, [&] { loop.stop(); });  // Bounds the test if the event were lost.
  loop.run();
  EXPECT_TRUE(seen & EPOLLIN);
  ASSERT_FALSE(waiter.timeouts.empty());
  EXPECT_GE(waiter.timeouts.front(), 1);
  EXPECT_LE(waiter.timeouts.front(), 20);  // Never past the first timer.
  loop.set_waiter(nullptr);
  loop.unwatch(pair[0]);
  for (int fd : pair) ::close(fd);
}

TEST(LoopPool, EachLoopRunsOnItsOwnThread) {
  EventLoop base;
  LoopPool pool(base, 3);
  pool.start();
  ASSERT_EQ(pool.loops().size(), 3u);
  std::vector<std::thread::id> ids(3);
  std::atomic<int> done{0};
  for (std::size_t i = 0; i < 3; ++i) {
    pool.loops()[i]->post([&, i] {
      ids[i] = std::this_thread::get_id();
      if (++done == 3) base.post([&] { base.stop(); });
    });
  }
  base.run();
  EXPECT_NE(ids[0], ids[1]);
  EXPECT_NE(ids[1], ids[2]);
  EXPECT_EQ(ids[0], std::this_thread::get_id());
}

}  // namespace
}  // namespace soket::reactor
