#include "core/async_line_writer.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <string>

namespace soket {
namespace {

using namespace std::chrono_literals;

// Reads what the pipe holds until `needle` has come, or 10 s have passed.
std::string read_until(int fd, const std::string& needle) {
  std::string text;
  const auto deadline = Clock::now() + 10s;
  while (text.find(needle) == std::string::npos && Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char chunk[65536];
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) break;
    text.append(chunk, static_cast<std::size_t>(n));
  }
  return text;
}

TEST(AsyncLineWriter, NeverBlocksOnAnUnreadPipeAndCountsWhatItDropped) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  {
    AsyncLineWriter writer(fds[1], 64 * 1024, 5s);
    const std::string line(100, 'x');
    const auto start = Clock::now();
    // 2 MB into a 64 KiB pipe and a 64 KiB queue that nobody empties: push must not wait.
    for (int i = 0; i < 20000; ++i) writer.push(line);
    EXPECT_LT(Clock::now() - start, 5s);
    EXPECT_GT(writer.dropped(), 15000u);
    // The reader catches up: the queued lines, then how many were dropped.
    const std::string text = read_until(fds[0], "log lines dropped");
    EXPECT_NE(text.find("log lines dropped: the output was not read]\n"), std::string::npos);
    EXPECT_EQ(text.find(line + "\n"), 0u);
    writer.push("after");
    EXPECT_NE(read_until(fds[0], "after\n").find("after\n"), std::string::npos);
  }
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST(AsyncLineWriter, WritesEveryLineInOrderWhenRead) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  std::string expected;
  {
    AsyncLineWriter writer(fds[1], 1024 * 1024);
    for (int i = 0; i < 1000; ++i) {
      writer.push("line " + std::to_string(i));
      expected += "line " + std::to_string(i) + "\n";
    }
    EXPECT_EQ(read_until(fds[0], "line 999\n"), expected);
    EXPECT_EQ(writer.dropped(), 0u);
  }
  ::close(fds[0]);
  ::close(fds[1]);
}

}  // namespace
}  // namespace soket
