#include "proto/sockstat/inet_diag.h"

#include <gtest/gtest.h>
#include <netinet/in.h>

#include <memory>

#include "core/byte_writer.h"

namespace soket::proto::sockstat {
namespace {

// An independent test-side builder of what the kernel sends (x86: little-endian host).
void header(ByteWriter& w, std::uint32_t length, std::uint16_t type) {
  w.u32_le(length);
  w.u16_le(type);
  w.u16_le(2);  // NLM_F_MULTI
  w.u32_le(1);
  w.u32_le(0);
}

void socket_message(ByteWriter& w, std::uint8_t state, std::uint16_t sport, std::uint16_t dport) {
  header(w, 16 + 72, 20);
  w.u8(AF_INET);
  w.u8(state);
  w.u8(0);
  w.u8(0);
  w.u16_be(sport);
  w.u16_be(dport);
  const std::byte loopback[16] = {std::byte{127}, std::byte{0}, std::byte{0}, std::byte{1}};
  w.append(loopback);  // src
  w.append(loopback);  // dst
  w.u32_le(0);         // if
  w.zeros(8);          // cookie
  w.u32_le(0);         // expires
  w.u32_le(5);         // rqueue
  w.u32_le(511);       // wqueue
  w.u32_le(1000);      // uid
  w.u32_le(4242);      // inode
}

TEST(InetDiag, RequestIsWhatTheKernelExpects) {
  const auto request = dump_request(AF_INET6, IPPROTO_TCP, kAllStates, 7);
  ASSERT_EQ(request.size(), 72u);
  EXPECT_EQ(std::to_integer<int>(request[0]), 72);            // nlmsg_len
  EXPECT_EQ(std::to_integer<int>(request[4]), 20);            // SOCK_DIAG_BY_FAMILY
  EXPECT_EQ(std::to_integer<int>(request[6]), 0x01);          // NLM_F_REQUEST
  EXPECT_EQ(std::to_integer<int>(request[7]), 0x03);          // NLM_F_DUMP
  EXPECT_EQ(std::to_integer<int>(request[8]), 7);             // seq
  EXPECT_EQ(std::to_integer<int>(request[16]), AF_INET6);     // sdiag_family
  EXPECT_EQ(std::to_integer<int>(request[17]), IPPROTO_TCP);  // sdiag_protocol
  EXPECT_EQ(std::to_integer<int>(request[20]), 0xFF);         // states, low byte
  EXPECT_EQ(std::to_integer<int>(request[21]), 0x0F);
}

TEST(InetDiag, ParsesSocketsThenDone) {
  ByteWriter w;
  socket_message(w, kListen, 8080, 0);
  socket_message(w, kEstablished, 8080, 40000);
  header(w, 20, 3);  // NLMSG_DONE with its int.
  w.u32_le(0);
  std::vector<SocketRecord> out;
  auto part = parse_dump(w.bytes(), IPPROTO_TCP, out);
  ASSERT_TRUE(part.ok());
  EXPECT_TRUE(part->done);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].state, kListen);
  EXPECT_EQ(out[0].local_port, 8080);
  EXPECT_EQ(out[0].recv_q, 5u);
  EXPECT_EQ(out[0].send_q, 511u);
  EXPECT_EQ(out[0].inode, 4242u);
  EXPECT_EQ(std::to_integer<int>(out[0].local[0]), 127);
  EXPECT_EQ(out[1].peer_port, 40000);
  EXPECT_EQ(state_name(out[1].state), "ESTAB");
  EXPECT_EQ(state_name(kClose), "UNCONN");
}

TEST(InetDiag, KernelErrorIsReported) {
  ByteWriter w;
  header(w, 36, 2);
  w.u32_le(static_cast<std::uint32_t>(-1));  // -EPERM
  w.zeros(16);
  std::vector<SocketRecord> out;
  auto part = parse_dump(w.bytes(), IPPROTO_TCP, out);
  ASSERT_FALSE(part.ok());
  EXPECT_EQ(part.error(), errc::kernel_error);
}

TEST(InetDiag, EveryTruncatedPrefixIsAnErrorOrIncomplete) {
  ByteWriter w;
  socket_message(w, kListen, 1, 0);
  const auto& bytes = w.bytes();
  for (std::size_t length = 1; length < bytes.size(); ++length) {
    auto copy = std::make_unique<std::byte[]>(length);  // Exact size: ASan sees any overread.
    std::copy(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(length), copy.get());
    std::vector<SocketRecord> out;
    auto part = parse_dump({copy.get(), length}, IPPROTO_TCP, out);
    EXPECT_TRUE(out.empty()) << length;
    if (part.ok()) {
      EXPECT_FALSE(part->done) << length;
    }
  }
}

TEST(InetDiag, LengthSmallerThanHeaderIsRejected) {
  ByteWriter w;
  header(w, 8, 20);
  std::vector<SocketRecord> out;
  auto part = parse_dump(w.bytes(), IPPROTO_TCP, out);
  ASSERT_FALSE(part.ok());
  EXPECT_EQ(part.error(), errc::bad_length);
}

}  // namespace
}  // namespace soket::proto::sockstat
