#include "clients/detail/precise_timers.h"

#include <gtest/gtest.h>

#include <vector>

namespace soket::clients::detail {
namespace {

using namespace std::chrono_literals;

// Timers run in the order of their times and never before them; how late they run is left
// to the machine (a loaded one may preempt us at any time), so it is not asserted.
TEST(PreciseTimers, RunInOrderAndNeverEarly) {
  reactor::EventLoop loop;
  PreciseTimers timers(loop);
  const TimePoint start = Clock::now();
  std::vector<int> order;
  std::vector<Duration> early;
  const Duration offsets[] = {7ms, 300us, 3ms, 50us, 12ms};
  for (int i = 0; i < 5; ++i) {
    const TimePoint when = start + offsets[i];
    timers.run_at(when, [&, i, when] {
      order.push_back(i);
      if (Clock::now() < when) early.push_back(when - Clock::now());
      if (order.size() == 5) loop.stop();
    });
  }
  loop.run_after(10s, [&] { loop.stop(); });  // A bound, should a timer never fire.
  loop.run();
  EXPECT_EQ(order, (std::vector<int>{3, 1, 2, 0, 4}));
  EXPECT_TRUE(early.empty());
}

TEST(PreciseTimers, CancelledTimersDoNotRun) {
  reactor::EventLoop loop;
  PreciseTimers timers(loop);
  bool cancelled_ran = false, ran = false;
  const auto key = timers.run_at(Clock::now() + 2ms, [&] { cancelled_ran = true; });
  timers.run_at(Clock::now() + 5ms, [&] {
    ran = true;
    loop.stop();
  });
  timers.cancel(key);
  loop.run_after(10s, [&] { loop.stop(); });
  loop.run();
  EXPECT_TRUE(ran);
  EXPECT_FALSE(cancelled_ran);
}

TEST(PreciseTimers, StopDropsEverythingEvenAQueuedCheck) {
  reactor::EventLoop loop;
  PreciseTimers timers(loop);
  bool ran = false;
  timers.run_at(Clock::now() + 200us, [&] { ran = true; });  // Within the spin: a check is posted.
  timers.run_at(Clock::now() + 20ms, [&] { ran = true; });   // A loop timer.
  timers.stop();
  loop.run_after(50ms, [&] { loop.stop(); });
  loop.run();
  EXPECT_FALSE(ran);
}

}  // namespace
}  // namespace soket::clients::detail
