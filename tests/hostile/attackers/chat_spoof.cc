// Forged UDP datagrams. A forger on the host takes a UDP member's very address and port
// (SO_REUSEPORT) and sends, as that member, a message, "exit", a wrong token and wrong
// passwords; the member then speaks for itself. Then wrong UDP passwords "from" an address
// must not lock a TCP member at that address out. Holds when the room relays nothing forged
// and the member is never announced as left; when TCP from the address UDP-guessed at still
// gets PASSWORD OK while UDP from it is locked; and when wrong TCP passwords lock both.
//   attack_chat_spoof HOST PORT PASSWORD
#include <netinet/in.h>

#include "hostile/attackers/chat_peer.h"

using namespace soket;
using namespace soket::attack;

namespace {

void forge(int fd, const net::Address& server, const std::string& text) {
  ::sendto(fd, text.data(), text.size(), 0, server.data(), server.length());
}

std::optional<std::string> password_reply(const net::Address& server, bool udp, const char* source,
                                          const std::string& password) {
  ChatPeer peer(server, udp, source);
  peer.send("PASSWORD " + password);
  return peer.next(10s);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) usage("attack_chat_spoof HOST PORT PASSWORD");
  const auto server = target(argv[1], argv[2]);
  const std::string password = argv[3];

  ChatPeer watcher(server, false);
  if (!watcher.join(password, "watcher", 10s)) fail("the watcher could not join");
  ChatPeer victim(server, true, "127.0.0.20", 0, 0, /*reuseport=*/true);
  if (!victim.join(password, "victim", 10s)) fail("the UDP member could not join");
  sockaddr_in mine{};
  socklen_t length = sizeof mine;
  ::getsockname(victim.fd(), reinterpret_cast<sockaddr*>(&mine), &length);
  const auto port = ntohs(mine.sin_port);
  const int forger = bound_socket(SOCK_DGRAM, "127.0.0.20", port, /*reuseport=*/true);
  if (forger < 0) fail("the forger could not take the member's address");
  forge(forger, server, "victim: forged message");
  forge(forger, server, "forged without the prefix");
  forge(forger, server, "TOKEN 00000000000000000000000000000000 forged with a wrong token");
  for (int i = 0; i < 6; ++i) forge(forger, server, "PASSWORD wrong");
  forge(forger, server, "exit");
  forge(forger, server, "TOKEN 00000000000000000000000000000000 exit");
  victim.send("genuine");
  for (;;) {
    const auto line = watcher.next(10s);
    if (!line) fail("the member's own message never came");
    if (line->find("forged") != std::string::npos) fail("relayed a forged datagram: " + *line);
    if (*line == "victim left the chat room.") fail("a forged exit made the member leave");
    if (*line == "victim: genuine") break;
  }
  std::printf("forged datagrams from the member's address: none relayed, member stayed%s\n",
              victim.token().empty() ? " (no token was given)" : " (token given)");

  // Wrong passwords over UDP "from" 127.0.0.30 lock out UDP from there, never TCP.
  const int guesser = bound_socket(SOCK_DGRAM, "127.0.0.30");
  for (int i = 0; i < 6; ++i) forge(guesser, server, "PASSWORD wrong");
  ChatPeer probe(server, true, "127.0.0.30");  // Waits for the guesses' answers to settle.
  probe.send("PING");
  if (!probe.expect("PONG", 10s)) fail("no PONG");
  const auto tcp = password_reply(server, false, "127.0.0.30", password);
  if (tcp != "PASSWORD OK") {
    fail("wrong UDP passwords locked TCP out: '" + tcp.value_or("<nothing>") + "'");
  }
  const auto udp = password_reply(server, true, "127.0.0.30", password);
  if (udp != "ERROR too many attempts") fail("UDP was not locked: '" + udp.value_or("") + "'");
  // Wrong passwords over TCP (which cannot be forged) lock both transports, as before.
  for (int i = 0; i < 5; ++i) password_reply(server, false, "127.0.0.31", "wrong");
  const auto after_tcp = password_reply(server, true, "127.0.0.31", password);
  if (after_tcp != "ERROR too many attempts") fail("TCP guesses did not lock UDP out");
  std::printf("udp guesses lock udp only; tcp guesses lock both\n");
  return 0;
}
