#include "reactor/timer_queue.h"

#include <gtest/gtest.h>

#include <vector>

namespace soket::reactor {
namespace {

using namespace std::chrono_literals;

TEST(TimerQueue, RunsDueTimersEarliestFirst) {
  TimerQueue timers;
  const TimePoint t0{};
  std::vector<int> order;
  timers.add(t0 + 30ms, [&] { order.push_back(3); });
  timers.add(t0 + 10ms, [&] { order.push_back(1); });
  timers.add(t0 + 20ms, [&] { order.push_back(2); });
  EXPECT_EQ(timers.next_deadline(), t0 + 10ms);
  EXPECT_EQ(timers.run_due(t0 + 20ms), 2u);
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
  EXPECT_EQ(timers.run_due(t0 + 100ms), 1u);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_FALSE(timers.next_deadline().has_value());
}

TEST(TimerQueue, EqualDeadlinesKeepTheirOrder) {
  TimerQueue timers;
  std::vector<int> order;
  for (int i = 0; i < 5; ++i) timers.add(TimePoint{}, [&order, i] { order.push_back(i); });
  timers.run_due(TimePoint{});
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
}

// Two timers due in the same batch: the first cancels the second, which must not run (an
// idle timer cancelled by its connection's close must not fire on a freed connection).
TEST(TimerQueue, TimerCancelledByAnotherOfTheSameBatchNeverRuns) {
  TimerQueue timers;
  bool second_ran = false;
  TimerId second;
  timers.add(TimePoint{} + 1ms, [&] { timers.cancel(second); });
  second = timers.add(TimePoint{} + 2ms, [&] { second_ran = true; });
  EXPECT_EQ(timers.run_due(TimePoint{} + 10ms), 1u);
  EXPECT_FALSE(second_ran);
  EXPECT_EQ(timers.size(), 0u);
}

TEST(TimerQueue, CancelledTimerNeverRuns) {
  TimerQueue timers;
  bool ran = false;
  auto id = timers.add(TimePoint{} + 1ms, [&] { ran = true; });
  timers.cancel(id);
  timers.cancel(id);         // Twice is harmless.
  timers.cancel(TimerId{});  // So is an empty id.
  EXPECT_EQ(timers.run_due(TimePoint{} + 1s), 0u);
  EXPECT_FALSE(ran);
}

TEST(TimerQueue, TimerAddedByACallbackWaitsForTheNextRun) {
  TimerQueue timers;
  int runs = 0;
  std::function<void()> again = [&] {
    ++runs;
    timers.add(TimePoint{}, again);  // Already due: must not run in this same call.
  };
  timers.add(TimePoint{}, again);
  EXPECT_EQ(timers.run_due(TimePoint{}), 1u);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(timers.size(), 1u);
}

TEST(TimerQueue, CallbackMayCancelALaterTimer) {
  TimerQueue timers;
  bool later_ran = false;
  TimerId later = timers.add(TimePoint{} + 50ms, [&] { later_ran = true; });
  timers.add(TimePoint{} + 10ms, [&] { timers.cancel(later); });
  timers.run_due(TimePoint{} + 10ms);
  timers.run_due(TimePoint{} + 1s);
  EXPECT_FALSE(later_ran);
}

}  // namespace
}  // namespace soket::reactor
