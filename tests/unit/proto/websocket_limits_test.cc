// MessageReader's size limit (RFC 6455 section 10.4; the Autobahn suite's section 9 at the
// parser level): a message of exactly `max_message` passes, one byte more is refused with
// 1009 as soon as a frame header announces it, before its payload is buffered.
#include <gtest/gtest.h>

#include <string>

#include "proto/websocket/close_codes.h"
#include "proto/websocket/message_reader.h"
#include "websocket_frames.h"

namespace soket::proto::websocket {
namespace {

using namespace test;  // NOLINT: the frame builder's words.
using Kind = MessageReader::Kind;

// The bytes of a frame up to and including its masking key: what the reader may judge by.
std::string header_only(const ClientFrame& frame) {
  const std::string bytes = build(frame);
  return bytes.substr(0, bytes.size() - frame.payload.size());
}

TEST(WebSocketLimits, ExactlyTheLimitPasses) {
  for (const std::size_t max : {0u, 1u, 125u, 126u, 65535u, 65536u}) {
    MessageReader reader(max);
    const auto event = reader.next(build(text(std::string(max, 'a'))));
    EXPECT_EQ(event.kind, Kind::text) << max;
    EXPECT_EQ(event.payload.size(), max);
  }
}

TEST(WebSocketLimits, OneByteMoreIsRefusedFromTheHeaderAlone) {
  for (const std::size_t max : {0u, 1u, 125u, 126u, 65535u, 65536u}) {
    for (const auto opcode : {std::uint8_t{0x1}, std::uint8_t{0x2}}) {
      MessageReader reader(max);
      const auto event = reader.next(header_only(frame(opcode, std::string(max + 1, 'a'))));
      EXPECT_EQ(event.kind, Kind::error) << max;
      EXPECT_EQ(event.code, kCloseTooBig) << max;
    }
  }
}

TEST(WebSocketLimits, FragmentsCountTogether) {
  MessageReader reader(4096);
  const std::string first = build(text(std::string(4000, 'g'), false));
  auto event = reader.next(first);
  EXPECT_EQ(event.kind, Kind::need_more);
  EXPECT_EQ(event.consumed, first.size());
  // 96 more bytes fit; 97 do not, and the header says so.
  event = reader.next(header_only(more(std::string(97, 'g'))));
  EXPECT_EQ(event.kind, Kind::error);
  EXPECT_EQ(event.code, kCloseTooBig);

  MessageReader fits(4096);
  event = fits.next(build({text(std::string(4000, 'g'), false), more(std::string(96, 'g'))}));
  EXPECT_EQ(event.kind, Kind::text);
  EXPECT_EQ(event.payload.size(), 4096u);
}

TEST(WebSocketLimits, ControlFramesDoNotCountTowardsTheMessage) {
  MessageReader reader(10);
  const std::string stream =
      build({text(std::string(10, 'x'), false), ping(std::string(100, 'p')), more("")});
  auto event = reader.next(stream);
  EXPECT_EQ(event.kind, Kind::ping);
  event = reader.next(std::string_view(stream).substr(event.consumed));
  EXPECT_EQ(event.kind, Kind::text);
  EXPECT_EQ(event.payload, std::string(10, 'x'));
}

TEST(WebSocketLimits, ANewMessageStartsFromZero) {
  MessageReader reader(8);
  const std::string stream = build({text(std::string(8, 'a')), binary(std::string(8, 'b'))});
  auto event = reader.next(stream);
  ASSERT_EQ(event.kind, Kind::text);
  event = reader.next(std::string_view(stream).substr(event.consumed));
  EXPECT_EQ(event.kind, Kind::binary);
  EXPECT_EQ(event.payload, std::string(8, 'b'));
}

// Autobahn 9.1 / 9.2 in small: a 1 MiB text and binary message, whole and in 1 KiB frames.
TEST(WebSocketLimits, OneMebibyteInOneFrameAndInFragments) {
  constexpr std::size_t kMiB = 1 << 20;
  std::string payload(kMiB, 'z');
  for (std::size_t i = 0; i < payload.size(); i += 7) payload[i] = static_cast<char>('a' + i % 26);
  for (const auto opcode : {std::uint8_t{0x1}, std::uint8_t{0x2}}) {
    MessageReader whole(kMiB);
    auto event = whole.next(build(frame(opcode, payload)));
    ASSERT_EQ(event.kind, opcode == 1 ? Kind::text : Kind::binary);
    EXPECT_EQ(event.payload, payload);

    std::string stream;
    for (std::size_t at = 0; at < kMiB; at += 1024) {
      const bool last = at + 1024 >= kMiB;
      stream += build(frame(at == 0 ? opcode : std::uint8_t{0}, payload.substr(at, 1024), last));
    }
    MessageReader pieces(kMiB);
    event = pieces.next(stream);
    ASSERT_EQ(event.kind, opcode == 1 ? Kind::text : Kind::binary);
    EXPECT_EQ(event.consumed, stream.size());
    EXPECT_EQ(event.payload, payload);

    MessageReader small(kMiB - 1);
    event = small.next(stream);
    EXPECT_EQ(event.kind, Kind::error);
    EXPECT_EQ(event.code, kCloseTooBig);
  }
}

}  // namespace
}  // namespace soket::proto::websocket
