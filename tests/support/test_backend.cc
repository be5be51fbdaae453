#include "support/test_backend.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "support/child_process.h"
#include "support/io_uring_check.h"

namespace soket::test {

namespace {

std::string backend_in(const std::vector<std::string>& args) {
  const auto flag = std::find(args.begin(), args.end(), "--backend");
  if (flag == args.end() || flag + 1 == args.end()) return {};
  return *(flag + 1);
}

}  // namespace

std::string test_backend() {
  const char* backend = std::getenv("SOKET_TEST_BACKEND");
  return backend ? backend : "";
}

bool takes_backend(const std::vector<std::string>& args) {
  if (args.size() < 2 || args[1] != "server") return false;
  return args[0] == "echo" || args[0] == "transform" || args[0] == "chat";
}

std::vector<std::string> with_test_backend(std::vector<std::string> args) {
  const auto backend = test_backend();
  if (backend.empty() || !takes_backend(args) || !backend_in(args).empty()) return args;
  args.insert(args.end(), {"--backend", backend});
  return args;
}

void expect_backend_ran(ChildProcess& server, const std::vector<std::string>& args) {
  const auto backend = backend_in(args);
  if (backend.empty() || backend == "auto") return;
  const auto line = server.wait_for_stderr_line("serving ", std::chrono::seconds(10));
  ASSERT_TRUE(line.has_value()) << "no engine line on stderr: " << server.err();
  // Each part the server serves (TCP connections, UDP datagrams) names its engine.
  for (const std::string part : {"TCP connections", "UDP datagrams"}) {
    if (line->find(part) == std::string::npos) continue;
    EXPECT_NE(line->find(part + " with " + backend), std::string::npos)
        << "asked for " << backend << ", got: " << *line;
  }
  if (backend == "io_uring") expect_on_io_uring(server);
}

}  // namespace soket::test
