// Arbitrary lines from several sessions to one chat room: it must never crash, never relay
// a line from a non-member, and never relay a control character.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "proto/chat/room.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace soket::proto::chat;
  Room room("pw", Limits{.max_users = 3, .max_line = 64});
  Actions out;
  for (SessionId id = 1; id <= 3; ++id) room.open(id, id == 3 ? "b" : "a", "peer");
  std::string_view input(reinterpret_cast<const char*>(data), size);
  soket::TimePoint now{};
  while (!input.empty()) {
    const auto session = static_cast<SessionId>(static_cast<unsigned char>(input[0]) % 4);
    input.remove_prefix(1);
    const auto end = input.find('\n');
    const auto line = input.substr(0, end);
    input.remove_prefix(end == std::string_view::npos ? input.size() : end + 1);
    out.clear();
    const bool was_member = room.is_member(session);
    room.receive(session, line, now, out);
    if (session == 2) room.close(session, "gone", out);
    now += std::chrono::milliseconds(7);
    for (const auto& d : out.deliveries) {
      for (const char c : d.line) {
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t') std::abort();
      }
      if (d.to == kEveryMember && !was_member && d.line.find(": ") != std::string::npos &&
          d.line.find(" joined the chat room.") == std::string::npos &&
          d.line.find(" left the chat room.") == std::string::npos) {
        std::abort();
      }
    }
  }
  return 0;
}
