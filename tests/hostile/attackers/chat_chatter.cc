// A member that talks fast (the server run with --rate-limit 0) while nobody reads the
// server's stdout: the log fills the pipe. Holds when every one of COUNT messages comes back
// to its sender within 60 seconds (a server that blocks on its log freezes instead).
//   attack_chat_chatter HOST PORT PASSWORD COUNT
#include "hostile/attackers/chat_peer.h"

using namespace soket;
using namespace soket::attack;

int main(int argc, char** argv) {
  if (argc != 5) usage("attack_chat_chatter HOST PORT PASSWORD COUNT");
  ignore_sigpipe();
  const auto server = target(argv[1], argv[2]);
  const int count = std::atoi(argv[4]);
  ChatPeer member(server, false);
  if (!member.join(argv[3], "chatter", 10s)) fail("could not join");
  const std::string filler(200, 'y');
  const auto start = Clock::now();
  const auto deadline = start + 60s;
  int echoed = 0;
  constexpr int kBatch = 100;
  for (int sent = 0; sent < count && Clock::now() < deadline;) {
    const int batch_end = std::min(count, sent + kBatch);
    for (; sent < batch_end; ++sent) member.send("m" + std::to_string(sent) + " " + filler);
    const std::string last = "chatter: m" + std::to_string(batch_end - 1) + " " + filler;
    while (Clock::now() < deadline) {
      const auto line = member.next(deadline - Clock::now());
      if (!line) break;
      if (line->rfind("chatter: m", 0) == 0) ++echoed;
      if (*line == last) break;
    }
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  std::printf("%d of %d messages relayed in %lld ms\n", echoed, count,
              static_cast<long long>(ms.count()));
  if (echoed < count) fail("the room stopped relaying (only " + std::to_string(echoed) + ")");
  return 0;
}
