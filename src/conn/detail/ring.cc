#include "conn/detail/ring.h"

#include <cerrno>

namespace soket::conn::detail {

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
  __kernel_timespec limit{};
  limit.tv_sec = timeout_ms / 1000;
  limit.tv_nsec = static_cast<long long>(timeout_ms % 1000) * 1'000'000;
  io_uring_cqe* first = nullptr;
  // Ends on a completion, the limit (-ETIME) or a signal (-EINTR).
  io_uring_submit_and_wait_timeout(&ring_, &first, 1, timeout_ms < 0 ? nullptr : &limit, nullptr);
}

void Ring::submit_and_gather(unsigned count, std::chrono::microseconds limit) {
  __kernel_timespec wait{};
  wait.tv_sec = limit.count() / 1'000'000;
  wait.tv_nsec = static_cast<long long>(limit.count() % 1'000'000) * 1000;
  io_uring_cqe* first = nullptr;
  io_uring_submit_and_wait_timeout(&ring_, &first, count, &wait, nullptr);
}

}  // namespace soket::conn::detail
