#include "core/buffer.h"

#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace soket {

void Buffer::append(std::span<const std::byte> bytes) {
  if (bytes.empty()) return;
  make_room(bytes.size());
  std::memcpy(data_.get() + write_index_, bytes.data(), bytes.size());
  write_index_ += static_cast<std::uint32_t>(bytes.size());
}

void Buffer::append(std::string_view text) {
  append(as_bytes(text));
}

void Buffer::consume(std::size_t count) {
  if (count >= size()) {
    clear();
  } else {
    read_index_ += static_cast<std::uint32_t>(count);
  }
}

void Buffer::clear() {
  read_index_ = write_index_ = kPrependRoom;
}

void Buffer::release() {
  clear();
  data_.reset();
  capacity_ = 0;
}

void Buffer::make_room(std::size_t count) {
  if (capacity_ >= write_index_ && writable() >= count) return;
  const std::size_t readable_bytes = size();
  if (capacity_ >= kPrependRoom + readable_bytes + count) {
    // Enough room overall: slide the readable bytes to the front instead of growing.
    std::memmove(data_.get() + kPrependRoom, data_.get() + read_index_, readable_bytes);
  } else {
    const std::size_t grown =
        std::max<std::size_t>(std::size_t{capacity_} * 2, kPrependRoom + readable_bytes + count);
    auto bigger = std::make_unique_for_overwrite<std::byte[]>(grown);
    if (readable_bytes > 0) {
      std::memcpy(bigger.get() + kPrependRoom, data_.get() + read_index_, readable_bytes);
    }
    data_ = std::move(bigger);
    capacity_ = static_cast<std::uint32_t>(grown);
  }
  read_index_ = kPrependRoom;
  write_index_ = static_cast<std::uint32_t>(kPrependRoom + readable_bytes);
}

std::size_t Buffer::read_window(std::size_t max_bytes) const {
  return std::min(max_bytes, (capacity_ >= write_index_ ? writable() : 0) + kSpill);
}

Result<std::size_t> Buffer::read_from_fd(int fd, std::size_t max_bytes) {
  std::byte spill[kSpill];
  const std::size_t direct = std::min(capacity_ >= write_index_ ? writable() : 0, max_bytes);
  iovec vec[2];
  vec[0] = {data_ ? data_.get() + write_index_ : spill, direct};
  vec[1] = {spill, std::min(sizeof spill, max_bytes - direct)};
  const int count = vec[1].iov_len > 0 ? 2 : 1;
  ssize_t n;
  do {
    n = ::readv(fd, vec, count);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return last_system_error();
  const auto got = static_cast<std::size_t>(n);
  if (got <= direct) {
    write_index_ += static_cast<std::uint32_t>(got);
  } else {
    write_index_ += static_cast<std::uint32_t>(direct);
    append(std::span<const std::byte>(spill, got - direct));
  }
  return got;
}

}  // namespace soket
