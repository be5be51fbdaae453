#include "core/buffer.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

namespace soket {
namespace {

TEST(Buffer, StartsEmptyWithoutMemory) {
  Buffer buffer;
  EXPECT_TRUE(buffer.empty());
  EXPECT_EQ(buffer.capacity(), 0u);
  EXPECT_TRUE(buffer.readable().empty());
}

TEST(Buffer, AppendsAndConsumesInOrder) {
  Buffer buffer;
  buffer.append("hello ");
  buffer.append("world");
  EXPECT_EQ(buffer.readable_text(), "hello world");
  buffer.consume(6);
  EXPECT_EQ(buffer.readable_text(), "world");
  buffer.consume(100);
  EXPECT_TRUE(buffer.empty());
}

TEST(Buffer, GrowsAndSlidesWithoutLosingBytes) {
  Buffer buffer;
  std::string expected;
  for (int i = 0; i < 1000; ++i) {
    const std::string piece(static_cast<std::size_t>(i % 97 + 1), static_cast<char>('a' + i % 26));
    buffer.append(piece);
    expected += piece;
    if (i % 3 == 0) {
      buffer.consume(10);
      expected.erase(0, std::min<std::size_t>(10, expected.size()));
    }
  }
  EXPECT_EQ(buffer.readable_text(), expected);
}

TEST(Buffer, ReleaseGivesMemoryBack) {
  Buffer buffer;
  buffer.append(std::string(100000, 'x'));
  EXPECT_GE(buffer.capacity(), 100000u);
  buffer.release();
  EXPECT_EQ(buffer.capacity(), 0u);
  EXPECT_TRUE(buffer.empty());
}

TEST(Buffer, ReadFromFdSpillsPastItsCapacity) {
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, pair), 0);
  const std::string sent(50000, 'q');
  ASSERT_EQ(::write(pair[0], sent.data(), sent.size()), static_cast<ssize_t>(sent.size()));
  Buffer buffer;  // No capacity: everything arrives through the stack spill.
  auto got = buffer.read_from_fd(pair[1], 1 << 20);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, sent.size());
  EXPECT_EQ(buffer.readable_text(), sent);
  auto again = buffer.read_from_fd(pair[1], 1 << 20);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error(), std::errc::resource_unavailable_try_again);
  ::close(pair[0]);
  auto eof = buffer.read_from_fd(pair[1], 1 << 20);
  ASSERT_TRUE(eof.ok());
  EXPECT_EQ(*eof, 0u);
  ::close(pair[1]);
}

TEST(Buffer, ReadFromFdHonoursTheLimit) {
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, pair), 0);
  ASSERT_EQ(::write(pair[0], "0123456789", 10), 10);
  Buffer buffer;
  auto got = buffer.read_from_fd(pair[1], 4);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(buffer.readable_text(), "0123");
  ::close(pair[0]);
  ::close(pair[1]);
}

}  // namespace
}  // namespace soket
