// Buffer: a growable byte queue with prepend room, in the manner of muduo's Buffer.
//
//   +-----------------+------------------+------------------+
//   | prependable     | readable bytes   | writable bytes   |
//   +-----------------+------------------+------------------+
//   0           read_index_       write_index_         capacity_
//
// It owns no memory until bytes arrive: a server keeps two per connection, and an idle
// connection should cost almost nothing. Indices are size_t, so nothing wraps; what it holds
// is capped at max_size() (kMaxSize, 4 GiB, unless constructed with less), and the cap and
// the allocation are checked where memory is reserved: an append that would pass the cap, or
// for which memory ran out, appends nothing and returns false, so a peer that makes a buffer
// grow can end its own connection but never the process.
// Views returned by readable() stay valid until the next call that appends or consumes.
// A Buffer belongs to one thread; it is not safe to share.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/result.h"

namespace soket {

class Buffer {
 public:
  static constexpr std::size_t kPrependRoom = 8;
  static constexpr std::size_t kMaxSize = std::size_t{1} << 32;

  Buffer() = default;
  explicit Buffer(std::size_t max_size) : max_size_(max_size) {}

  std::size_t max_size() const { return max_size_; }

  std::size_t size() const { return write_index_ - read_index_; }
  bool empty() const { return size() == 0; }
  std::size_t capacity() const { return capacity_; }

  std::span<const std::byte> readable() const {
    if (empty()) return {};
    return {data_.get() + read_index_, size()};
  }
  std::string_view readable_text() const { return as_text(readable()); }

  // Appends all of `bytes`, or nothing: false when the result would pass max_size() or the
  // memory could not be had (the buffer is then as it was).
  bool append(std::span<const std::byte> bytes);
  bool append(std::string_view text);
  void consume(std::size_t count);
  void clear();
  // Gives the memory back: an idle connection should cost (almost) nothing.
  void release();

  // Reads what the fd has, up to max_bytes, with readv into the free space plus a 64 KiB
  // stack spill so that one syscall drains a burst without growing every buffer up front.
  // Returns 0 at end of stream; would-block shows as std::errc::resource_unavailable_try_again;
  // std::errc::not_enough_memory when the bytes read do not fit (they are then lost: the
  // caller must end the stream).
  Result<std::size_t> read_from_fd(int fd, std::size_t max_bytes);
  // How much read_from_fd(fd, max_bytes) asks for: a read that returns less drained the fd.
  std::size_t read_window(std::size_t max_bytes) const;
  static constexpr std::size_t kSpill = 64 * 1024;

 private:
  std::size_t writable() const { return capacity_ - write_index_; }
  bool make_room(std::size_t count);

  std::unique_ptr<std::byte[]> data_;
  std::size_t capacity_ = 0;
  std::size_t read_index_ = kPrependRoom;
  std::size_t write_index_ = kPrependRoom;
  std::size_t max_size_ = kMaxSize;
};

}  // namespace soket
