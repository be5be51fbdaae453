#include "core/buffer.h"

#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <new>
#include <system_error>

namespace soket {

bool Buffer::append(std::span<const std::byte> bytes) {
  if (bytes.empty()) return true;
  if (!make_room(bytes.size())) return false;
  std::memcpy(data_.get() + write_index_, bytes.data(), bytes.size());
  write_index_ += bytes.size();
  return true;
}

bool Buffer::append(std::string_view text) {
  return append(as_bytes(text));
}

void Buffer::consume(std::size_t count) {
  if (count >= size()) {
    clear();
  } else {
    read_index_ += count;
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

// The one place memory is reserved, so the one place the cap and the allocation are checked.
bool Buffer::make_room(std::size_t count) {
  if (capacity_ >= write_index_ && writable() >= count) return true;
  const std::size_t readable_bytes = size();
  // Written so that a huge `count` cannot overflow the sum.
  if (count > max_size_ || readable_bytes > max_size_ - count) return false;
  const std::size_t needed = kPrependRoom + readable_bytes + count;
  if (capacity_ >= needed) {
    // Enough room overall: slide the readable bytes to the front instead of growing.
    std::memmove(data_.get() + kPrependRoom, data_.get() + read_index_, readable_bytes);
  } else {
    // Doubling keeps appends amortised O(1); the cap bounds the doubling.
    const std::size_t grown = std::max(std::min(capacity_ * 2, kPrependRoom + max_size_), needed);
    std::unique_ptr<std::byte[]> bigger(new (std::nothrow) std::byte[grown]);
    if (!bigger) return false;
    if (readable_bytes > 0) {
      std::memcpy(bigger.get() + kPrependRoom, data_.get() + read_index_, readable_bytes);
    }
    data_ = std::move(bigger);
    capacity_ = grown;
  }
  read_index_ = kPrependRoom;
  write_index_ = kPrependRoom + readable_bytes;
  return true;
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
    write_index_ += got;
  } else {
    write_index_ += direct;
    if (!append(std::span<const std::byte>(spill, got - direct))) {
      return std::make_error_code(std::errc::not_enough_memory);
    }
  }
  return got;
}

}  // namespace soket
