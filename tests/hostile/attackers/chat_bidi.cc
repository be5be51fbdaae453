// A member that writes Unicode bidi controls and line separators ("Trojan Source") to
// reorder or break what others see. Holds when the relayed line holds none of them.
//   attack_chat_bidi HOST PORT PASSWORD
#include "hostile/attackers/chat_peer.h"

using namespace soket;
using namespace soket::attack;

int main(int argc, char** argv) {
  if (argc != 4) usage("attack_chat_bidi HOST PORT PASSWORD");
  const auto server = target(argv[1], argv[2]);
  ChatPeer mallory(server, false), reader(server, false);
  if (!mallory.join(argv[3], "mallory", 10s) || !reader.join(argv[3], "reader", 10s)) {
    fail("could not join");
  }
  // U+202E RLO, U+2028 LS, U+2029 PS, U+2066 LRI, U+2069 PDI, U+200F RLM, U+061C ALM, U+202A.
  const char* const controls[] = {"\u202E", "\u2028", "\u2029", "\u2066",
                                  "\u2069", "\u200F", "\u061C", "\u202A"};
  std::string text = "pay";
  for (const char* c : controls) text += std::string(c) + "x";
  mallory.send(text);
  for (;;) {
    const auto line = reader.next(10s);
    if (!line) fail("the message never came");
    if (line->rfind("mallory: pay", 0) != 0) continue;
    for (const char* c : controls) {
      if (line->find(c) != std::string::npos) fail("a bidi control or separator was relayed");
    }
    std::printf("relayed: %s\n", line->c_str());
    return 0;
  }
}
