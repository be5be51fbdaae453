// WsPeer: a test-side WebSocket client written from RFC 6455 alone, independent of the
// server's proto/websocket code, that can also lie: it builds any frame (reserved bits,
// opcodes, unmasked, lengths that are not the payload's), so the conformance table can play
// peers no real library would. Bounded waits only.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "net/fd.h"

namespace soket::test {

// One frame as a client writes it. `mask` false sends it unmasked (a protocol error).
struct ClientFrame {
  std::uint8_t opcode = 0x1;
  std::string payload;
  bool fin = true;
  std::uint8_t rsv = 0;  // Bits 0b100 RSV1, 0b010 RSV2, 0b001 RSV3.
  bool mask = true;
};
// Frame bytes with a fixed masking key (the tests need no randomness to be right).
std::string frame_bytes(const ClientFrame& frame);

// A frame the server sent.
struct ServerFrame {
  std::uint8_t opcode = 0;  // 0xFF: none came in time; 0xFE: the connection closed.
  std::string payload;
  bool fin = true;
  bool masked = false;
  std::uint16_t close_code() const;  // For a Close: its code, or 1005 when it has none.
};

class WsPeer {
 public:
  // Connects and sends `request` as is (the upgrade, or anything else).
  WsPeer(int port, std::string_view request);
  // Connects and upgrades at /ws; EXPECTs a 101.
  explicit WsPeer(int port);
  static std::string upgrade_request(int port, std::string_view extra_fields = {});

  // The response head (through the empty line), or "<timeout>" / "<closed>".
  std::string response_head(std::chrono::milliseconds wait = std::chrono::seconds(5));
  // The rest of what the server sends until it closes (after the head: a body).
  std::string read_to_close(std::chrono::milliseconds wait = std::chrono::seconds(5));
  void send_raw(std::string_view bytes);
  void send(const ClientFrame& frame) { send_raw(frame_bytes(frame)); }
  void send_text(std::string_view text) { send(ClientFrame{0x1, std::string(text)}); }
  ServerFrame next(std::chrono::milliseconds wait = std::chrono::seconds(5));
  // The next text frame's payload, or "<pong PAYLOAD>", "<close CODE>", "<timeout>", "<closed>".
  std::string next_text(std::chrono::milliseconds wait = std::chrono::seconds(5));
  // PASSWORD and USERNAME as a member; EXPECTs each answer and the join notice.
  void join(const std::string& password, const std::string& name);
  // A small receive buffer, so that a peer that never reads backs the server up soon.
  void shrink_receive_buffer(int bytes);
  // Closes with a reset (SO_LINGER 0) instead of a FIN: a peer that vanishes mid-stream.
  void reset();
  // True when the server ends the TCP connection (EOF or reset) within `wait`.
  bool closed_by_server(std::chrono::milliseconds wait = std::chrono::seconds(5));

 private:
  bool fill(std::chrono::steady_clock::time_point deadline);

  net::Fd fd_;
  std::string pending_;
  bool eof_ = false;
};

}  // namespace soket::test
