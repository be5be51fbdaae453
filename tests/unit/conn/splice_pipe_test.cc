// SplicePipe is shared by a loop's connections: what one user leaves in it must never reach
// the next user's socket.
#include "conn/detail/splice_pipe.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

namespace soket::conn::detail {
namespace {

struct SocketPair {
  int ends[2] = {-1, -1};
  SocketPair() { EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, ends), 0); }
  ~SocketPair() {
    ::close(ends[0]);
    ::close(ends[1]);
  }
  void put(const std::string& text) const {
    ASSERT_EQ(::write(ends[1], text.data(), text.size()), static_cast<ssize_t>(text.size()));
  }
  std::string take() const {
    char chunk[4096];
    const ssize_t n = ::read(ends[1], chunk, sizeof chunk);
    return n > 0 ? std::string(chunk, static_cast<std::size_t>(n)) : std::string();
  }
};

TEST(SplicePipe, BytesAUserLeftBehindNeverReachTheNextUser) {
  auto pipe = SplicePipe::open();
  ASSERT_TRUE(pipe.ok());
  SocketPair first, second;
  first.put("first's secret");
  ASSERT_EQ(pipe->fill_from(first.ends[0], 1024).value(), 14u);
  EXPECT_EQ(pipe->held(), 14u);
  // The first user fails here and never drains. The second user's bytes go in and out.
  second.put("second");
  ASSERT_EQ(pipe->fill_from(second.ends[0], 1024).value(), 6u);
  EXPECT_EQ(pipe->held(), 6u);
  ASSERT_EQ(pipe->drain_to(second.ends[0], 1024).value(), 6u);
  EXPECT_EQ(pipe->held(), 0u);
  EXPECT_EQ(second.take(), "second");
}

TEST(SplicePipe, DrainNeverMovesMoreThanTheUserPutIn) {
  auto pipe = SplicePipe::open();
  ASSERT_TRUE(pipe.ok());
  SocketPair pair;
  pair.put("abc");
  ASSERT_EQ(pipe->fill_from(pair.ends[0], 1024).value(), 3u);
  ASSERT_EQ(pipe->drain_to(pair.ends[0], 1024).value(), 3u);
  EXPECT_EQ(pipe->drain_to(pair.ends[0], 1024).value(), 0u);
  EXPECT_EQ(pair.take(), "abc");
}

TEST(SplicePipe, DiscardLeftoverEmptiesThePipe) {
  auto pipe = SplicePipe::open();
  ASSERT_TRUE(pipe.ok());
  SocketPair pair;
  pair.put(std::string(5000, 'x'));
  ASSERT_EQ(pipe->fill_from(pair.ends[0], 1 << 20).value(), 5000u);
  ASSERT_TRUE(pipe->discard_leftover().ok());
  EXPECT_EQ(pipe->held(), 0u);
  EXPECT_EQ(pipe->drain_to(pair.ends[0], 1024).value(), 0u);
  EXPECT_EQ(pair.take(), "");
}

}  // namespace
}  // namespace soket::conn::detail
