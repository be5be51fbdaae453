#include "conn/detail/provided_buffers.h"

#include <sys/mman.h>

namespace soket::conn::detail {

ProvidedBuffers::~ProvidedBuffers() {
  if (ring_ != nullptr) ::munmap(ring_, shape_.count * sizeof(io_uring_buf));
}

Result<void> ProvidedBuffers::register_with(io_uring& ring) {
  void* ring_memory = ::mmap(nullptr, shape_.count * sizeof(io_uring_buf), PROT_READ | PROT_WRITE,
                             MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
  if (ring_memory == MAP_FAILED) return last_system_error();
  ring_ = static_cast<io_uring_buf_ring*>(ring_memory);
  io_uring_buf_ring_init(ring_);
  io_uring_buf_reg registration{};
  registration.ring_addr = reinterpret_cast<std::uintptr_t>(ring_);
  registration.ring_entries = shape_.count;
  registration.bgid = shape_.group;
  const int status = io_uring_register_buf_ring(&ring, &registration, 0);
  if (status < 0) return std::error_code(-status, std::system_category());
  memory_.reset(new std::byte[shape_.count * shape_.size]);
  for (unsigned bid = 0; bid < shape_.count; ++bid) {
    io_uring_buf_ring_add(ring_, data(static_cast<std::uint16_t>(bid)),
                          static_cast<unsigned>(shape_.size), static_cast<unsigned short>(bid),
                          io_uring_buf_ring_mask(shape_.count), static_cast<int>(bid));
  }
  io_uring_buf_ring_advance(ring_, static_cast<int>(shape_.count));
  return {};
}

bool ProvidedBuffers::holds(std::uint16_t bid, const std::byte* begin, std::size_t size) const {
  const std::byte* buffer = data(bid);
  return begin >= buffer && begin + size <= buffer + shape_.size;
}

void ProvidedBuffers::give_back(std::uint16_t bid) {
  io_uring_buf_ring_add(ring_, data(bid), static_cast<unsigned>(shape_.size), bid,
                        io_uring_buf_ring_mask(shape_.count), 0);
  io_uring_buf_ring_advance(ring_, 1);
}

}  // namespace soket::conn::detail
