#include "conn/detail/ring.h"

#include <cerrno>

namespace soket::conn::detail {
namespace {

__kernel_timespec timespec_of(std::chrono::microseconds duration) {
  __kernel_timespec spec{};
  spec.tv_sec = duration.count() / 1'000'000;
  spec.tv_nsec = static_cast<long long>(duration.count() % 1'000'000) * 1000;
  return spec;
}

}  // namespace

Ring::~Ring() {
  if (open_) io_uring_queue_exit(&ring_);
}

Result<void> Ring::open(unsigned entries) {
  // One thread submits and reaps (ours): the kernel may skip the locking and interrupts that
  // sharing would need.
  // The kernel's part of each receive is deferred to our next wait (DEFER_TASKRUN), where it
  // runs in one batch instead of interrupting us once per packet.
  int status = -EINVAL;
  for (const unsigned flags : {IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
                               IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN, 0U}) {
    io_uring_params params{};
    params.flags = flags;
    status = io_uring_queue_init_params(entries, &ring_, &params);
    if (status != -EINVAL) break;  // Else an older kernel: try with fewer flags.
  }
  if (status < 0) return std::error_code(-status, std::system_category());
  open_ = true;
  io_uring_register_ring_fd(&ring_);  // Spares the kernel a file lookup per call, if it can.
  return {};
}

void Ring::submit_and_wait(int timeout_ms) {
  if (timeout_ms == 0) {
    io_uring_submit_and_get_events(&ring_);
    return;
  }
  if (timeout_ms < 0) return submit_and_wait_for(1, nullptr);
  auto limit = timespec_of(std::chrono::milliseconds(timeout_ms));
  submit_and_wait_for(1, &limit);
}

void Ring::submit_and_gather(unsigned count, std::chrono::microseconds limit) {
  auto wait = timespec_of(limit);
  submit_and_wait_for(count, &wait);
}

// Ends on `count` completions, the limit (-ETIME) or a signal (-EINTR): all mean "go on".
void Ring::submit_and_wait_for(unsigned count, __kernel_timespec* limit) {
  io_uring_cqe* first = nullptr;
  io_uring_submit_and_wait_timeout(&ring_, &first, count, limit, nullptr);
}

}  // namespace soket::conn::detail
