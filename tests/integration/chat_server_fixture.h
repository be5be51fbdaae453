// A chat server of the suites' own, on a free port, with kPassword in a password file of its
// own; started once both its lines (tcp and udp) are out.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "integration/chat_peer.h"
#include "support/child_process.h"

namespace soket::test {

class ChatServerTest : public testing::Test {
 protected:
  StartedServer start(std::vector<std::string> extra = {}) {
    std::ofstream(password_file_) << kPassword << "\n";
    std::vector<std::string> args = {"chat", "server",          "-p",
                                     "0",    "--password-file", password_file_};
    args.insert(args.end(), extra.begin(), extra.end());
    auto server = start_soket_server(args);
    server.process->wait_for_line("(udp)");
    return server;
  }
  void TearDown() override { ::unlink(password_file_.c_str()); }

  const std::string password_file_ = "/tmp/soket-chat-test-" + std::to_string(::getpid()) + ".txt";
};

}  // namespace soket::test
