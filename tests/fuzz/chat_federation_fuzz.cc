// The events other servers publish on the room's channel (anyone with access to Redis can
// publish there): each input line is decoded, and what decodes is fed to a federated Room
// with two local members. Properties checked:
// - what decodes re-encodes to an event that decodes the same (round trip), and encoding
//   is stable;
// - nothing a remote event makes the room deliver holds a control character (other than
//   none at all: lines carry no LF or escapes), whatever the event's text;
// - no remote event removes, renames or speaks for a local member, and no name is ever
//   both a local member's and a remote one's;
// - the remote table stays within kMaxRemoteMembers.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "proto/chat/federation.h"
#include "proto/chat/room.h"
#include "proto/text/ascii.h"

namespace {

using namespace soket::proto::chat;

void check(bool condition) {
  if (!condition) std::abort();
}

Room make_room() {
  Room room("pw", Limits{});
  room.federate("here");
  Actions out;
  for (SessionId id : {1, 2}) {
    room.open(id, "127.0.0.1", "peer");
    room.receive(id, "PASSWORD pw", {}, out);
    const std::string name = id == 1 ? "ani" : "budi";
    room.receive(id, "USERNAME " + name, {}, out);
    room.claim_answered(id, name, ClaimAnswer::granted, {}, out);
  }
  return room;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  Room room = make_room();
  std::size_t start = 0;
  while (start <= input.size()) {
    const std::size_t end = std::min(input.find('\n', start), input.size());
    std::string why;
    const auto event = decode(input.substr(start, end - start), why);
    start = end + 1;
    if (!event) {
      check(!why.empty());
      continue;
    }
    const std::string encoded = encode(*event);
    const auto again = decode(encoded, why);
    check(again.has_value() && *again == *event && encode(*again) == encoded);
    Actions out;
    room.remote_event(*event, out);
    for (const auto& delivery : out.deliveries) {
      for (const char c : delivery.line) {
        check(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
      }
    }
    check(room.is_member(1) && room.name_of(1) == "ani");
    check(room.is_member(2) && room.name_of(2) == "budi");
    check(room.member_count() == 2 && room.remote_count() <= kMaxRemoteMembers);
    check(room.room_size() == room.member_count() + room.remote_count());
  }
  return 0;
}
