// DNS over TCP framing (RFC 1035 section 4.2.2, RFC 7766 section 8): every message on the
// stream is preceded by its length, two bytes, big-endian:
//
//   +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
//   |                    LENGTH                     |   then LENGTH bytes of message
//   +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
//
// TcpFramer reassembles one message from pieces of any size (sans-I/O: the caller reads the
// socket and feeds what came). The length field caps a message at 65,535 bytes, so that is
// all it ever holds.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

namespace soket::proto::dns {

class TcpFramer {
 public:
  // Takes bytes of the stream and returns how many it used: never more than complete the one
  // message, so the caller knows where the next message would begin.
  std::size_t feed(std::span<const std::byte> bytes);
  bool complete() const { return length_ && message_.size() == *length_; }
  // How many more bytes the message needs (the length field counts): 0 once complete. A
  // reader that asks for no more than this never reads past the message.
  std::size_t wanted() const;
  // Stream bytes taken so far, the length field included: 0 means nothing came at all.
  std::size_t received() const { return prefix_have_ + message_.size(); }
  // The length the stream announced, once its two bytes came.
  std::optional<std::size_t> expected() const { return length_; }
  // The message without its length, once complete(); valid until this framer changes.
  std::span<const std::byte> message() const { return message_; }

 private:
  std::byte prefix_[2] = {};
  std::size_t prefix_have_ = 0;
  std::optional<std::size_t> length_;
  std::vector<std::byte> message_;
};

}  // namespace soket::proto::dns
