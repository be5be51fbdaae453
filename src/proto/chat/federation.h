// The events chat servers sharing one room tell each other over Redis pub/sub: one JSON
// object per message, so that a person with redis-cli can read the room's traffic.
//
//   {"v":1,"server":"5f0c...","label":"alpha:5000","seq":7,"kind":"text","name":"ani","text":"hai"}
//
// `server` is the publisher's random id, `label` how /who names it, `seq` counts that
// server's events from 1 (Redis keeps one publisher's order; a lower or equal seq is a
// duplicate). Kinds: hello (a server starts and asks for rosters), roster (`members`: every
// member it serves, sent on hello and as its heartbeat), join, leave, text (`name`, `text`),
// private (`name` to `to`, `text`), bye (a server stops).
//
// Anyone with access to Redis can publish, so decoding trusts nothing: a record that is not
// exactly this shape (a name that is not a valid name, an oversized text or roster) is
// refused whole, and texts are cleaned again before any member sees them. Pure; no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace soket::proto::chat {

enum class EventKind { hello, roster, join, leave, text, private_text, bye };

struct Event {
  std::string server;
  std::string label;
  std::uint64_t seq = 0;
  EventKind kind = EventKind::hello;
  std::string name;                  // join, leave, text, private: the member.
  std::string to;                    // private: the member it is for.
  std::string text;                  // text, private.
  std::vector<std::string> members;  // roster.
  bool operator==(const Event&) const = default;
};

// An event of this server's, before the transport stamps it with server, label and seq.
Event make_event(EventKind kind, std::string name = {}, std::string text = {}, std::string to = {});

inline constexpr std::size_t kMaxEventBytes = 256 * 1024;
inline constexpr std::size_t kMaxEventText = 4096;        // As a member's line (Limits::max_line).
inline constexpr std::size_t kMaxRosterMembers = 100000;  // Bounded by kMaxEventBytes first.
inline constexpr std::size_t kMaxServerField = 64;        // `server` and `label`.

std::string encode(const Event& event);
// nullopt for anything but a well-formed event; `why` says what was wrong (for the log).
std::optional<Event> decode(std::string_view payload, std::string& why);

// A server id: 1 to 64 letters, digits, '-', '_', '.', ':'.
bool is_valid_server_id(std::string_view id);

}  // namespace soket::proto::chat
