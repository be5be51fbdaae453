// Deadlines: the three times after which a connection is closed (its handshake, its silence,
// its drain after our FIN), kept the same way by both engines.
//
// Activity does not touch the connection's timer (that would cost a tree update per
// message): the timer fires at the earliest deadline, checks which one has really passed, and
// is armed again for the earliest one left.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "conn/connection.h"
#include "core/clock.h"

namespace soket::conn::detail {

struct Deadlines {
  TimePoint opened;  // Or, once draining, when the drain began.
  TimePoint last_active;
  bool handshake_done = false;
  bool draining = false;

  explicit Deadlines(TimePoint now) : opened(now), last_active(now) {}

  // The earliest deadline that applies now: the drain's while draining, else the
  // handshake's (until it is done) and the idle one.
  std::optional<TimePoint> next(const ConnectionSettings& settings) const {
    if (draining) return opened + settings.drain_timeout;
    std::optional<TimePoint> deadline;
    if (!handshake_done) deadline = opened + settings.handshake_timeout;
    if (settings.idle_timeout > Duration::zero()) {
      const TimePoint idle = last_active + settings.idle_timeout;
      if (!deadline || idle < *deadline) deadline = idle;
    }
    return deadline;
  }

  // Why the connection must close at `now` (for the log), or nothing when no deadline has
  // passed yet.
  std::optional<std::string> passed(TimePoint now, const ConnectionSettings& settings) const {
    const auto ms = [](Duration d) {
      return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
    };
    if (draining) {
      if (now < opened + settings.drain_timeout) return std::nullopt;
      return "sent no FIN within " + ms(settings.drain_timeout) + " ms of ours: closing";
    }
    if (!handshake_done && now >= opened + settings.handshake_timeout) {
      return "did not finish its handshake in " + ms(settings.handshake_timeout) + " ms: closing";
    }
    if (settings.idle_timeout > Duration::zero() && now >= last_active + settings.idle_timeout) {
      return "idle for " + ms(settings.idle_timeout) + " ms: closing";
    }
    return std::nullopt;
  }
};

}  // namespace soket::conn::detail
