// The load's chat messages, whatever the room's server: "m<i>: <seq> <sent> <text>", <sent>
// the steady clock's nanoseconds when it was sent (one clock for every member of the run,
// whichever server it went through), the sequence number making every message distinct so
// that its return is unmistakable.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace soket::clients::detail {

std::string chat_message(std::string_view name, std::uint64_t number, TimePoint sent,
                         std::string_view text);

// Whether a received line is a member's message (not a join, a leave or a warning).
bool is_member_message(std::string_view line);

// How long ago a member's message was sent; nullopt if the line does not say.
std::optional<Duration> sent_ago(std::string_view message);

}  // namespace soket::clients::detail
