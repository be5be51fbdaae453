#include "support/ws_peer.h"

#include <gtest/gtest.h>

#include <sys/socket.h>

#include <array>

#include "net/deadline_io.h"
#include "net/resolver.h"

namespace soket::test {
namespace {

constexpr std::array<std::uint8_t, 4> kMaskKey = {0x37, 0xfa, 0x21, 0x3d};

std::uint64_t big_endian(std::string_view bytes) {
  std::uint64_t value = 0;
  for (const char byte : bytes) value = (value << 8) | static_cast<std::uint8_t>(byte);
  return value;
}

}  // namespace

// RFC 6455 section 5.2: FIN, RSV1-3, opcode; MASK, 7-bit length (126: 16-bit follows,
// 127: 64-bit follows); the masking key; the payload XORed with it.
std::string frame_bytes(const ClientFrame& frame) {
  std::string out;
  out.push_back(static_cast<char>((frame.fin ? 0x80 : 0) | (frame.rsv << 4) | frame.opcode));
  const std::uint64_t size = frame.payload.size();
  const std::uint8_t mask_bit = frame.mask ? 0x80 : 0;
  if (size < 126) {
    out.push_back(static_cast<char>(mask_bit | size));
  } else if (size <= 0xFFFF) {
    out.push_back(static_cast<char>(mask_bit | 126));
    for (int shift = 8; shift >= 0; shift -= 8) out.push_back(static_cast<char>(size >> shift));
  } else {
    out.push_back(static_cast<char>(mask_bit | 127));
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(size >> shift));
  }
  if (frame.mask) out.append(reinterpret_cast<const char*>(kMaskKey.data()), kMaskKey.size());
  for (std::size_t i = 0; i < frame.payload.size(); ++i) {
    const auto byte = static_cast<std::uint8_t>(frame.payload[i]);
    out.push_back(static_cast<char>(frame.mask ? byte ^ kMaskKey[i % 4] : byte));
  }
  return out;
}

std::uint16_t ServerFrame::close_code() const {
  if (payload.size() < 2) return 1005;
  return static_cast<std::uint16_t>(big_endian(std::string_view(payload).substr(0, 2)));
}

std::string WsPeer::upgrade_request(int port, std::string_view extra_fields) {
  return "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
         "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
         std::string(extra_fields) + "\r\n";
}

WsPeer::WsPeer(int port, std::string_view request) {
  auto address = net::Address::parse("127.0.0.1", static_cast<std::uint16_t>(port)).value();
  auto connected = net::connect_any({address}, net::Transport::tcp,
                                    std::chrono::steady_clock::now() + std::chrono::seconds(5));
  EXPECT_TRUE(connected.ok());
  if (connected) fd_ = std::move(connected->fd);
  if (!request.empty()) send_raw(request);
}

WsPeer::WsPeer(int port) : WsPeer(port, upgrade_request(port)) {
  const auto head = response_head();
  EXPECT_EQ(head.rfind("HTTP/1.1 101 ", 0), 0u) << head;
  EXPECT_NE(head.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), std::string::npos)
      << head;
}

void WsPeer::send_raw(std::string_view bytes) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  // A server that closed on an earlier frame may reset this write: the test reads why.
  (void)net::write_all(fd_.get(), soket::as_bytes(bytes), deadline);
}

bool WsPeer::fill(std::chrono::steady_clock::time_point deadline) {
  if (eof_) return false;
  char chunk[65536];
  auto got = net::read_some(fd_.get(), std::as_writable_bytes(std::span(chunk)), deadline);
  if (!got || *got == 0) {
    eof_ = !got ? got.error() != std::errc::timed_out : true;
    return false;
  }
  pending_.append(chunk, *got);
  return true;
}

std::string WsPeer::response_head(std::chrono::milliseconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    if (const auto end = pending_.find("\r\n\r\n"); end != std::string::npos) {
      std::string head = pending_.substr(0, end + 4);
      pending_.erase(0, end + 4);
      return head;
    }
    if (!fill(deadline)) return eof_ ? "<closed>" : "<timeout>";
  }
}

std::string WsPeer::read_to_close(std::chrono::milliseconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (fill(deadline)) {
  }
  return std::exchange(pending_, {});
}

ServerFrame WsPeer::next(std::chrono::milliseconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    if (pending_.size() >= 2) {
      const auto first = static_cast<std::uint8_t>(pending_[0]);
      const auto second = static_cast<std::uint8_t>(pending_[1]);
      std::size_t header = 2;
      std::uint64_t size = second & 0x7F;
      if (size == 126) header = 4;
      if (size == 127) header = 10;
      const bool masked = second & 0x80;
      if (masked) header += 4;
      if (pending_.size() >= header) {
        if (header >= 4 && (second & 0x7F) >= 126) {
          size = big_endian(std::string_view(pending_).substr(2, (second & 0x7F) == 126 ? 2 : 8));
        }
        if (pending_.size() >= header + size) {
          ServerFrame frame{static_cast<std::uint8_t>(first & 0x0F), pending_.substr(header, size),
                            (first & 0x80) != 0, masked};
          pending_.erase(0, header + size);
          return frame;
        }
      }
    }
    if (!fill(deadline)) {
      ServerFrame none;
      none.opcode = eof_ ? 0xFE : 0xFF;
      return none;
    }
  }
}

std::string WsPeer::next_text(std::chrono::milliseconds wait) {
  const auto frame = next(wait);
  if (frame.opcode == 0x1) return frame.payload;
  if (frame.opcode == 0x8) return "<close " + std::to_string(frame.close_code()) + ">";
  if (frame.opcode == 0xA) return "<pong " + frame.payload + ">";
  if (frame.opcode == 0xFE) return "<closed>";
  if (frame.opcode == 0xFF) return "<timeout>";
  return "<opcode " + std::to_string(frame.opcode) + ">";
}

void WsPeer::join(const std::string& password, const std::string& name) {
  send_text("PASSWORD " + password);
  EXPECT_EQ(next_text(), "PASSWORD OK");
  send_text("USERNAME " + name);
  EXPECT_EQ(next_text(), "USERNAME OK");
  EXPECT_EQ(next_text(), name + " joined the chat room.");
}

void WsPeer::shrink_receive_buffer(int bytes) {
  EXPECT_EQ(::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes), 0);
}

void WsPeer::reset() {
  const ::linger abort{1, 0};
  EXPECT_EQ(::setsockopt(fd_.get(), SOL_SOCKET, SO_LINGER, &abort, sizeof abort), 0);
  fd_.reset();
}

bool WsPeer::closed_by_server(std::chrono::milliseconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (fill(deadline)) pending_.clear();
  return eof_;
}

}  // namespace soket::test
