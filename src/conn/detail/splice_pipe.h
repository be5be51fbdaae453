// SplicePipe: a pipe through which a connection's bytes go from its socket back to the same
// socket with splice(2), never copied into user space (what an echo does with bulk data).
// One per loop, shared by its connections. Whoever fills it should empty it before returning,
// but the pipe does not count on that: it knows how many bytes it holds, and bytes a user
// left behind (a failure mid-splice) are thrown away before the next user's go in, so bytes
// of one connection can never reach another.
#pragma once

#include <cstddef>

#include "core/result.h"
#include "net/fd.h"

namespace soket::conn::detail {

class SplicePipe {
 public:
  static Result<SplicePipe> open();

  // Moves up to `count` bytes from `socket` into the pipe (0 at end of stream), after
  // throwing away whatever an earlier user left in it.
  Result<std::size_t> fill_from(int socket, std::size_t count);
  // Moves up to `count` bytes from the pipe to `socket`; would-block when the socket is full.
  Result<std::size_t> drain_to(int socket, std::size_t count);
  // Reads up to `count` bytes out of the pipe into memory, to empty it.
  Result<std::size_t> read_into(std::byte* into, std::size_t count);
  std::size_t capacity() const { return capacity_; }
  // Bytes in the pipe now.
  std::size_t held() const { return held_; }
  // Empties the pipe of a user's leftovers: reads them out, or, if that fails, replaces the
  // pipe with a new one (the bytes go with the old pipe). An error only if no new pipe opens.
  Result<void> discard_leftover();

 private:
  SplicePipe(net::Fd read_end, net::Fd write_end, std::size_t capacity)
      : read_end_(std::move(read_end)), write_end_(std::move(write_end)), capacity_(capacity) {}

  net::Fd read_end_, write_end_;
  std::size_t capacity_;
  std::size_t held_ = 0;
};

}  // namespace soket::conn::detail
