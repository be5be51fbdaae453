// What every attacker shares: a bounded deadline, a verdict, and the target's address.
// Attackers are small programs on purpose: each plays one worst peer, bounded in count and
// time, and exits 0 when the server held, 1 (with one line on stderr) when it did not.
#pragma once

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/clock.h"
#include "net/address.h"
#include "support/proc_status.h"

namespace soket::attack {

using test::vm_rss_kib;

// Exits 1 with `why` on stderr: the property the attack checks did not hold.
[[noreturn]] inline void fail(const std::string& why) {
  std::fprintf(stderr, "attack failed: %s\n", why.c_str());
  std::exit(1);
}

[[noreturn]] inline void usage(const char* text) {
  std::fprintf(stderr, "usage: %s\n", text);
  std::exit(2);
}

// An attacker writes into sockets the server may reset: EPIPE, never SIGPIPE.
inline void ignore_sigpipe() {
  ::signal(SIGPIPE, SIG_IGN);
}

inline net::Address target(const char* host, const char* port) {
  auto address = net::Address::parse(host, static_cast<std::uint16_t>(std::atoi(port)));
  if (!address) usage("bad target address");
  return address.value();
}

}  // namespace soket::attack
