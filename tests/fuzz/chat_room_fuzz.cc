// The chat room fed arbitrary lines from 32 sessions (TCP and UDP, four origins) with room
// for 8 members, so that it reaches max-users, locks origins out and evicts from its tiny
// failure table. Properties checked after every line:
// - the room never holds more members than max-users, and their names are unique without
//   regard to case;
// - nothing relayed holds a control character, a bidi control or a line separator;
// - a line from a non-member is never relayed as a message;
// - a member's line that is a command (it starts with '/', after the member's own "<name>: ",
//   and not with "//") is never relayed as a message, and /help and unknown commands answer
//   the sender alone;
// - a line fed to the framer in pieces gives the same lines as fed whole.
// Input: records of one byte (session: low 5 bits; what: high 3 bits) and a line up to LF.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "proto/chat/commands.h"
#include "proto/chat/room.h"
#include "proto/line/line_framer.h"
#include "proto/text/ascii.h"

namespace {

using namespace soket::proto;
using Framer = line::LineFramer;

constexpr std::size_t kMaxUsers = 8;
constexpr chat::SessionId kSessions = 32;

void check(bool ok) {
  if (!ok) std::abort();
}

// Bytes no relayed line may hold: C0 but TAB, DEL, and the UTF-8 of U+061C, U+200E, U+200F,
// U+2028..U+202E, U+2066..U+2069 (C1 would be C2 80..C2 9F).
bool clean(std::string_view line) {
  for (std::size_t i = 0; i < line.size(); ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    if ((c < 0x20 && c != '\t') || c == 0x7F) return false;
    const auto next = i + 1 < line.size() ? static_cast<unsigned char>(line[i + 1]) : 0;
    const auto third = i + 2 < line.size() ? static_cast<unsigned char>(line[i + 2]) : 0;
    if (c == 0xC2 && next >= 0x80 && next <= 0x9F) return false;
    if (c == 0xD8 && next == 0x9C) return false;
    if (c == 0xE2 && next == 0x80 && (third == 0x8E || third == 0x8F)) return false;
    if (c == 0xE2 && next == 0x80 && third >= 0xA8 && third <= 0xAE) return false;
    if (c == 0xE2 && next == 0x81 && third >= 0xA6 && third <= 0xA9) return false;
  }
  return true;
}

void open(chat::Room& room, chat::SessionId id) {
  const auto via = id % 2 == 0 ? chat::Via::tcp : chat::Via::udp;
  room.open(id, "10.0.0." + std::to_string(id % 4), "peer", via);
  if (via == chat::Via::udp) room.set_token(id, std::string(32, 'a' + static_cast<char>(id % 6)));
}

void check_room(const chat::Room& room) {
  check(room.member_count() <= kMaxUsers);
  check(room.members().size() == room.member_count());
  std::set<std::string> names;
  for (const auto id : room.members()) {
    check(room.is_member(id));
    check(names.insert(text::to_lower(room.name_of(id))).second);
  }
}

std::vector<std::string> frame(const Framer::Event& event) {
  if (event.kind == Framer::Kind::too_long) return {"<too long>"};
  return {std::string(event.line)};
}

// Feeds `stream` whole, then in pieces whose sizes come from the stream itself.
void check_framer(std::string_view stream) {
  std::vector<std::string> whole, pieces;
  Framer a(64), b(64);
  std::string buffer(stream);
  for (;;) {
    const auto event = a.next(buffer);
    if (event.kind != Framer::Kind::need_more) {
      const auto f = frame(event);
      whole.insert(whole.end(), f.begin(), f.end());
    }
    buffer.erase(0, event.consumed);
    if (event.kind == Framer::Kind::need_more) break;
  }
  buffer.clear();
  for (std::size_t at = 0; at < stream.size();) {
    const std::size_t size = 1 + static_cast<unsigned char>(stream[at]) % 13;
    buffer.append(stream.substr(at, size));
    at += size;
    for (;;) {
      const auto event = b.next(buffer);
      if (event.kind != Framer::Kind::need_more) {
        const auto f = frame(event);
        pieces.insert(pieces.end(), f.begin(), f.end());
      }
      buffer.erase(0, event.consumed);
      if (event.kind == Framer::Kind::need_more) break;
    }
  }
  check(whole == pieces);
}

// What the room must take for a command: the text after the member's own "<name>: ".
bool is_command(const std::string& name, std::string_view line) {
  const std::string own = name + ": ";
  if (line.substr(0, own.size()) == own) line.remove_prefix(own.size());
  return line.size() > 0 && line[0] == '/' && (line.size() < 2 || line[1] != '/');
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  check_framer(input);
  chat::Room room("pw",
                  chat::Limits{.max_users = kMaxUsers, .max_line = 64, .max_failure_origins = 2});
  chat::Actions out;
  for (chat::SessionId id = 1; id <= kSessions; ++id) open(room, id);
  soket::TimePoint now{};
  while (!input.empty()) {
    const auto head = static_cast<unsigned char>(input[0]);
    const chat::SessionId session = head % kSessions + 1;
    const int what = head >> 5;
    input.remove_prefix(1);
    const auto end = input.find('\n');
    const auto line = input.substr(0, end);
    input.remove_prefix(end == std::string_view::npos ? input.size() : end + 1);
    out.clear();
    const bool was_member = room.is_member(session);
    const std::string name(room.name_of(session));
    if (what == 5) {
      if (!room.has_session(session)) open(room, session);
    } else if (what == 6) {
      room.close(session, "gone", out);
    } else if (what == 7) {
      now += std::chrono::seconds(1 + line.size());
    } else {
      room.receive(session, line, now, out);
    }
    now += std::chrono::milliseconds(7);
    check_room(room);
    for (const auto& d : out.deliveries) {
      check(clean(d.line));
      if (d.to == chat::kEveryMember && !was_member && d.line.find(": ") != std::string::npos &&
          d.line.find(" joined the chat room.") == std::string::npos &&
          d.line.find(" left the chat room.") == std::string::npos) {
        std::abort();
      }
      if (what <= 4 && was_member && is_command(name, line) && d.to == chat::kEveryMember) {
        check(d.line == name + " left the chat room.");  // /quit alone reaches everyone.
      }
    }
  }
  return 0;
}
