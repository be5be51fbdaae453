// Running the echo client from the command line: with -m messages, or lines from stdin.
#pragma once

#include <string>
#include <vector>

namespace soket::cli {

struct EchoClientFlags {
  std::string port;
  std::string host = "localhost";
  bool udp = false;
  std::vector<std::string> messages;
  double timeout = 10;
};

int run_echo_client(const EchoClientFlags& flags);

}  // namespace soket::cli
