// ProvidedBuffers: a ring of equal buffers registered with an io_uring (a "provided buffer
// ring"). A receive armed with IOSQE_BUFFER_SELECT and buf_group = group() lets the kernel take
// one of them when the bytes arrive, and its completion names the buffer taken; we give it
// back once its bytes are used. Buffers are thus held only by data that has arrived, never by
// receives that wait, which is why thousands of idle connections cost no memory.
//
// Loop-thread only. Unregistered by the ring's own teardown (io_uring_queue_exit), which must
// come before this object is destroyed.
#pragma once

#include <liburing.h>

#include <cstddef>
#include <cstdint>
#include <memory>

#include "core/result.h"

namespace soket::conn::detail {

struct BufferShape {
  unsigned count;    // A power of two, as the ring requires.
  std::size_t size;  // Of each buffer.
  std::uint16_t group;
};

// The TCP connections' buffers: 4 MiB of address space per loop; a page costs memory only once
// a receive has written it, so an idle server holds little of it. Many small ones, because a
// batch of receives needs one each: a chat room of 1,000 members gathers up to 1,000 receives
// a batch, and with 256 buffers two thirds of them failed with ENOBUFS and were armed again.
// A receive that fills one takes a large buffer next (kBulkBuffers).
inline constexpr BufferShape kStreamBuffers{1024, 4 * 1024, 1};
// For a connection whose last receive filled its buffer (a bulk transfer): one receive then
// takes up to 256 KiB, so a stream costs a sixteenth of the loop iterations. Few, because only
// streaming connections use them; when they are all taken, a receive uses a stream buffer.
// (bench/RESULTS.md: 16 KiB receives streamed 855 MB/s, 256 KiB ones 1,310.)
inline constexpr BufferShape kBulkBuffers{16, 256 * 1024, 0};

class ProvidedBuffers {
 public:
  explicit ProvidedBuffers(BufferShape shape = kStreamBuffers) : shape_(shape) {}
  ~ProvidedBuffers();
  ProvidedBuffers(const ProvidedBuffers&) = delete;
  ProvidedBuffers& operator=(const ProvidedBuffers&) = delete;

  // Allocates the buffers and registers them with `ring` as group shape().group.
  Result<void> register_with(io_uring& ring);
  const BufferShape& shape() const { return shape_; }
  std::byte* data(std::uint16_t bid) const { return memory_.get() + offset(bid); }
  // Whether `bytes` lie inside buffer `bid`.
  bool holds(std::uint16_t bid, const std::byte* begin, std::size_t size) const;
  // Hands buffer `bid` back to the kernel for the next receive.
  void give_back(std::uint16_t bid);
  // Leaks the memory (and the ring of it): for a teardown whose operations did not all end.
  void abandon() {
    static_cast<void>(memory_.release());
    ring_ = nullptr;
  }

 private:
  std::size_t offset(std::uint16_t bid) const { return std::size_t{bid} * shape_.size; }

  BufferShape shape_;
  io_uring_buf_ring* ring_ = nullptr;
  // Not value-initialised: zeroing would touch (and so commit) every page at start.
  std::unique_ptr<std::byte[]> memory_;
};

}  // namespace soket::conn::detail
