#include "conn/detail/splice_pipe.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace soket::conn::detail {
namespace {

// A larger pipe moves more per splice; 256 KiB is within any user's pipe-max-size.
constexpr int kWantedCapacity = 256 * 1024;

Result<std::size_t> splice_once(int from, int to, std::size_t count) {
  ssize_t n;
  do {
    n = ::splice(from, nullptr, to, nullptr, count, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return last_system_error();
  return static_cast<std::size_t>(n);
}

}  // namespace

Result<SplicePipe> SplicePipe::open() {
  int ends[2];
  if (::pipe2(ends, O_NONBLOCK | O_CLOEXEC) != 0) return last_system_error();
  net::Fd read_end(ends[0]), write_end(ends[1]);
  const int capacity = ::fcntl(write_end.get(), F_SETPIPE_SZ, kWantedCapacity);
  const int actual = capacity > 0 ? capacity : ::fcntl(write_end.get(), F_GETPIPE_SZ);
  if (actual <= 0) return last_system_error();
  return SplicePipe(std::move(read_end), std::move(write_end), static_cast<std::size_t>(actual));
}

Result<std::size_t> SplicePipe::fill_from(int socket, std::size_t count) {
  if (held_ > 0) {
    if (auto emptied = discard_leftover(); !emptied) return emptied.error();
  }
  auto moved = splice_once(socket, write_end_.get(), count);
  if (moved) held_ += *moved;
  return moved;
}

Result<std::size_t> SplicePipe::drain_to(int socket, std::size_t count) {
  auto moved = splice_once(read_end_.get(), socket, std::min(count, held_));
  if (moved) held_ -= std::min(held_, *moved);
  return moved;
}

Result<void> SplicePipe::discard_leftover() {
  std::byte scrap[16 * 1024];
  // Bounded: each read takes at least a byte of the capacity the pipe holds at most.
  for (std::size_t round = 0; held_ > 0 && round <= capacity_; ++round) {
    auto got = read_into(scrap, std::min(held_, sizeof scrap));
    if (!got || *got == 0) break;
  }
  if (held_ == 0) return {};
  auto fresh = open();
  if (!fresh) return fresh.error();
  *this = std::move(fresh).value();
  return {};
}

Result<std::size_t> SplicePipe::read_into(std::byte* into, std::size_t count) {
  ssize_t n;
  do {
    n = ::read(read_end_.get(), into, count);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return last_system_error();
  held_ -= std::min(held_, static_cast<std::size_t>(n));
  return static_cast<std::size_t>(n);
}

}  // namespace soket::conn::detail
