// Runs an attacker (tests/hostile/attackers/NAME.cc, built as attack_NAME) to completion.
// An attacker prints what it measured on stdout and exits 0 when what must hold held, 1 when
// it did not (saying why on stderr), 2 on a usage error.
#pragma once

#include <string>
#include <vector>

#include "support/child_process.h"

namespace soket::test {

inline std::string attacker_path(const std::string& name) {
  return std::string(ATTACKER_DIR) + "/attack_" + name;
}

inline RunResult run_attacker(const std::string& name, std::vector<std::string> args,
                              std::chrono::milliseconds timeout = std::chrono::seconds(120)) {
  args.insert(args.begin(), attacker_path(name));
  return run(std::move(args), {}, timeout);
}

}  // namespace soket::test
