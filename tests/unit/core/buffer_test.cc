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

// The cap is checked where memory is reserved: an append past it appends nothing, and the
// buffer goes on working once bytes are consumed.
TEST(Buffer, AppendPastMaxSizeAppendsNothing) {
  Buffer buffer(100);
  EXPECT_EQ(buffer.max_size(), 100u);
  ASSERT_TRUE(buffer.append(std::string(60, 'a')));
  EXPECT_FALSE(buffer.append(std::string(41, 'b')));
  EXPECT_EQ(buffer.readable_text(), std::string(60, 'a'));
  EXPECT_TRUE(buffer.append(std::string(40, 'c')));  // Exactly the cap.
  EXPECT_EQ(buffer.size(), 100u);
  EXPECT_FALSE(buffer.append("d"));
  buffer.consume(30);
  EXPECT_TRUE(buffer.append(std::string(30, 'e')));
  EXPECT_EQ(buffer.readable_text(),
            std::string(30, 'a') + std::string(40, 'c') + std::string(30, 'e'));
}

TEST(Buffer, DefaultCapIsFourGiB) {
  Buffer buffer;
  EXPECT_EQ(buffer.max_size(), std::size_t{1} << 32);
  EXPECT_EQ(Buffer::kMaxSize, std::size_t{1} << 32);
}

// A size near SIZE_MAX must not wrap the arithmetic into a small allocation (the bytes are
// never read: the check comes first).
TEST(Buffer, HugeAppendIsRefusedWithoutOverflow) {
  Buffer buffer;
  ASSERT_TRUE(buffer.append("keep"));
  const std::byte one{};
  for (const std::size_t size :
       {SIZE_MAX, SIZE_MAX - 4, Buffer::kMaxSize + 1, Buffer::kMaxSize - 3}) {
    EXPECT_FALSE(buffer.append(std::span<const std::byte>(&one, size))) << size;
    EXPECT_EQ(buffer.readable_text(), "keep");
  }
}

#if defined(__SANITIZE_ADDRESS__)
#define SOKET_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SOKET_UNDER_ASAN 1
#endif
#endif

// Memory that cannot be had is a refused append, never std::bad_alloc ending the process.
TEST(Buffer, AllocationFailureIsARefusedAppend) {
#ifdef SOKET_UNDER_ASAN
  GTEST_SKIP() << "ASan aborts on an allocation this size instead of failing it";
#else
  Buffer buffer(SIZE_MAX / 2);
  ASSERT_TRUE(buffer.append("keep"));
  const std::byte one{};
  // 2^62 bytes: more than any address space, so the allocation fails before a byte is read.
  EXPECT_FALSE(buffer.append(std::span<const std::byte>(&one, std::size_t{1} << 62)));
  EXPECT_EQ(buffer.readable_text(), "keep");
  EXPECT_TRUE(buffer.append("!"));
  EXPECT_EQ(buffer.readable_text(), "keep!");
#endif
}

TEST(Buffer, ReadFromFdPastTheCapIsAnError) {
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, pair), 0);
  const std::string sent(100, 'z');
  ASSERT_EQ(::write(pair[0], sent.data(), sent.size()), 100);
  Buffer buffer(16);
  auto got = buffer.read_from_fd(pair[1], 1 << 20);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error(), std::errc::not_enough_memory);
  EXPECT_LE(buffer.size(), 16u);
  ::close(pair[0]);
  ::close(pair[1]);
}

}  // namespace
}  // namespace soket
