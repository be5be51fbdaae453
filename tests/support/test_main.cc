// The main() of every test binary: GoogleTest, with SIGPIPE ignored (a test that writes to a
// child that has exited must see EPIPE, not die) and the fd limit raised to its hard limit
// (the load tests hold a thousand sockets).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
