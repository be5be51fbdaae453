#include "core/buffer.h"

#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace soket {

void Buffer::append(std::span<const std::byte> bytes) {
  if (bytes.empty()) return;
  make_room(bytes.size());
  std::memcpy(storage_.data() + write_index_, bytes.data(), bytes.size());
  write_index_ += bytes.size();
}

void Buffer::append(std::string_view text) {
  append(as_bytes(text));
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
  std::vector<std::byte>().swap(storage_);
}

void Buffer::make_room(std::size_t count) {
  if (storage_.size() - std::min(storage_.size(), write_index_) >= count) return;
  const std::size_t readable_bytes = size();
  if (read_index_ + storage_.size() - write_index_ >= count + kPrependRoom) {
    // Enough room overall: slide the readable bytes to the front instead of growing.
    std::memmove(storage_.data() + kPrependRoom, storage_.data() + read_index_, readable_bytes);
  } else {
    std::vector<std::byte> grown(
        std::max(storage_.size() * 2, kPrependRoom + readable_bytes + count));
    if (readable_bytes > 0) {
      std::memcpy(grown.data() + kPrependRoom, storage_.data() + read_index_, readable_bytes);
    }
    storage_.swap(grown);
  }
  read_index_ = kPrependRoom;
  write_index_ = kPrependRoom + readable_bytes;
}

Result<std::size_t> Buffer::read_from_fd(int fd, std::size_t max_bytes) {
  std::byte spill[64 * 1024];
  const std::size_t writable = storage_.size() - std::min(storage_.size(), write_index_);
  const std::size_t direct = std::min(writable, max_bytes);
  iovec vec[2];
  vec[0] = {storage_.data() + write_index_, direct};
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
    append(std::span<const std::byte>(spill, got - direct));
  }
  return got;
}

}  // namespace soket
