#include "clients/detail/bench_pacer.h"

#include <gtest/gtest.h>

namespace soket::clients::detail {
namespace {

using namespace std::chrono_literals;

TEST(BenchPacer, UnpacedMakesEverythingDue) {
  const Pacer pacer;
  EXPECT_FALSE(pacer.paced());
  EXPECT_EQ(pacer.due_by(TimePoint{}), std::numeric_limits<std::uint64_t>::max());
}

TEST(BenchPacer, PeriodIsConnectionsOverRate) {
  const TimePoint start = Clock::now();
  const Pacer pacer(200, 4, 0, start);  // 50 per second each: every 20 ms.
  EXPECT_EQ(pacer.due_time(0), start);  // Index 0 has no phase offset.
  EXPECT_EQ(pacer.due_time(1) - pacer.due_time(0), 20ms);
  EXPECT_EQ(pacer.due_time(50) - pacer.due_time(0), 1s);
}

TEST(BenchPacer, DueByAgreesWithDueTimeAtEveryBoundary) {
  const TimePoint start = Clock::now();
  for (const double rate : {1.0, 3.0, 200.0, 12345.6, 1e6}) {
    const Pacer pacer(rate, 7, 3, start);
    EXPECT_EQ(pacer.due_by(start - 1s), 0u);
    for (std::uint64_t k = 0; k < 2000; k += 37) {
      const TimePoint due = pacer.due_time(k);
      EXPECT_EQ(pacer.due_by(due), k + 1) << rate << " " << k;
      EXPECT_EQ(pacer.due_by(due - 1ns), k) << rate << " " << k;
    }
  }
}

TEST(BenchPacer, ConnectionsArePhasedWithinOnePeriod) {
  const TimePoint start = Clock::now();
  bool some_offset = false;
  for (std::size_t index = 0; index < 16; ++index) {
    const Pacer pacer(100, 10, index, start);  // A 100 ms period.
    EXPECT_GE(pacer.due_time(0), start);
    EXPECT_LT(pacer.due_time(0), start + 100ms);
    some_offset = some_offset || pacer.due_time(0) != start;
  }
  EXPECT_TRUE(some_offset);
}

}  // namespace
}  // namespace soket::clients::detail
