// The one clock the reactor and timers use: monotonic, in std::chrono types, never doubles.
#pragma once

#include <chrono>

namespace soket {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = Clock::duration;

// Seconds given on a command line (e.g. "--timeout 0.5") as a Duration.
inline Duration from_seconds(double seconds) {
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds));
}

}  // namespace soket
