// A test-side builder of client frames, written from RFC 6455 section 5.2 alone and sharing
// nothing with src/proto/websocket, so that the reader is checked against a second reading
// of the RFC. It can also lie: reserved bits, no mask, a length in a longer form than needed.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>

namespace soket::proto::websocket::test {

enum class LengthForm { shortest, u16, u64 };

struct ClientFrame {
  std::uint8_t opcode = 0x1;
  std::string payload;
  bool fin = true;
  std::uint8_t rsv = 0;  // RSV1 = 4, RSV2 = 2, RSV3 = 1.
  bool masked = true;
  LengthForm form = LengthForm::shortest;
  std::array<std::uint8_t, 4> key = {0x37, 0xfa, 0x21, 0x3d};  // The RFC's own (section 5.7).
};

inline void put_be(std::string& out, std::uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

inline std::string build(const ClientFrame& f) {
  std::string out;
  out.push_back(static_cast<char>((f.fin ? 0x80 : 0) | (f.rsv << 4) | f.opcode));
  const std::uint8_t mask_bit = f.masked ? 0x80 : 0;
  const std::uint64_t n = f.payload.size();
  LengthForm form = f.form;
  if (form == LengthForm::shortest) {
    form = n < 126 ? LengthForm::shortest : n <= 0xFFFF ? LengthForm::u16 : LengthForm::u64;
  }
  if (form == LengthForm::shortest) {
    out.push_back(static_cast<char>(mask_bit | n));
  } else if (form == LengthForm::u16) {
    out.push_back(static_cast<char>(mask_bit | 126));
    put_be(out, n, 2);
  } else {
    out.push_back(static_cast<char>(mask_bit | 127));
    put_be(out, n, 8);
  }
  if (f.masked) {
    for (const auto k : f.key) out.push_back(static_cast<char>(k));
  }
  for (std::size_t i = 0; i < f.payload.size(); ++i) {
    const auto byte = static_cast<std::uint8_t>(f.payload[i]);
    out.push_back(static_cast<char>(f.masked ? byte ^ f.key[i % 4] : byte));
  }
  return out;
}

inline std::string build(std::initializer_list<ClientFrame> frames) {
  std::string out;
  for (const auto& f : frames) out += build(f);
  return out;
}

inline ClientFrame frame(std::uint8_t opcode, std::string payload, bool fin = true) {
  ClientFrame f;
  f.opcode = opcode;
  f.payload = std::move(payload);
  f.fin = fin;
  return f;
}
inline ClientFrame text(std::string payload, bool fin = true) {
  return frame(0x1, std::move(payload), fin);
}
inline ClientFrame binary(std::string payload, bool fin = true) {
  return frame(0x2, std::move(payload), fin);
}
inline ClientFrame more(std::string payload, bool fin = true) {
  return frame(0x0, std::move(payload), fin);
}
inline ClientFrame ping(std::string payload) {
  return frame(0x9, std::move(payload));
}
inline ClientFrame pong(std::string payload) {
  return frame(0xA, std::move(payload));
}
inline ClientFrame close_raw(std::string payload) {
  return frame(0x8, std::move(payload));
}
inline ClientFrame unmasked(ClientFrame f) {
  f.masked = false;
  return f;
}
inline std::string code(std::uint16_t value) {
  return {static_cast<char>(value >> 8), static_cast<char>(value & 0xFF)};
}
inline ClientFrame with_rsv(ClientFrame f, std::uint8_t rsv) {
  f.rsv = rsv;
  return f;
}
inline ClientFrame with_form(ClientFrame f, LengthForm form) {
  f.form = form;
  return f;
}

// A server's (unmasked) frame turned into a client's: the mask bit set and a key inserted
// after the length, the payload masked. Reads the header from the RFC, not from the writer.
inline std::string mask_server_frame(const std::string& frame,
                                     std::array<std::uint8_t, 4> key = {1, 2, 3, 4}) {
  const std::uint8_t len7 = static_cast<std::uint8_t>(frame[1]) & 0x7F;
  const std::size_t header = len7 < 126 ? 2 : len7 == 126 ? 4 : 10;
  std::string out = frame.substr(0, header);
  out[1] = static_cast<char>(static_cast<std::uint8_t>(out[1]) | 0x80);
  for (const auto k : key) out.push_back(static_cast<char>(k));
  for (std::size_t i = header; i < frame.size(); ++i) {
    out.push_back(static_cast<char>(static_cast<std::uint8_t>(frame[i]) ^ key[(i - header) % 4]));
  }
  return out;
}

}  // namespace soket::proto::websocket::test
