#include "conn/detail/send_queue.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace soket::conn::detail {
namespace {

void append(SendQueue& queue, std::string_view text) {
  queue.append(reinterpret_cast<const std::byte*>(text.data()), text.size());
}
std::string text_of(std::span<const std::byte> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

TEST(SendQueue, EmptyHasNothingToSend) {
  SendQueue queue;
  EXPECT_TRUE(queue.empty());
  EXPECT_TRUE(queue.front().empty());
}

TEST(SendQueue, TheBytesInFlightStayPutWhileMoreArrive) {
  SendQueue queue;
  append(queue, "first ");
  const auto in_flight = queue.front();
  const std::byte* where = in_flight.data();
  // Enough arrivals to move any vector they were appended to.
  for (int i = 0; i < 10000; ++i) append(queue, "more ");
  EXPECT_EQ(in_flight.data(), where);
  EXPECT_EQ(text_of(in_flight), "first ");
  EXPECT_EQ(queue.size(), 6u + 5u * 10000);
}

TEST(SendQueue, APartialSendLeavesTheRestInFrontInOrder) {
  SendQueue queue;
  append(queue, "abcdef");
  ASSERT_EQ(text_of(queue.front()), "abcdef");
  append(queue, "ghi");
  queue.consumed(4);
  EXPECT_EQ(queue.size(), 5u);
  EXPECT_EQ(text_of(queue.front()), "ef");  // The rest of the send in flight first...
  queue.consumed(2);
  EXPECT_EQ(text_of(queue.front()), "ghi");  // ...then what arrived meanwhile.
  queue.consumed(3);
  EXPECT_TRUE(queue.empty());
  EXPECT_TRUE(queue.front().empty());
}

TEST(SendQueue, SizeCountsWhatIsNotYetSent) {
  SendQueue queue;
  append(queue, std::string(1000, 'x'));
  (void)queue.front();
  queue.consumed(999);
  append(queue, std::string(10, 'y'));
  EXPECT_EQ(queue.size(), 11u);
}

}  // namespace
}  // namespace soket::conn::detail
