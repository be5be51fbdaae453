// Ring: one io_uring instance (RAII), set up for one thread that both submits and reaps.
//
// Loop-thread only. The destructor tears the ring down (io_uring_queue_exit); whoever put
// operations in it must have seen them all complete first (UringConnections does), since the kernel
// may still read or write their memory until then.
#pragma once

#include <chrono>

#include <liburing.h>

#include "core/result.h"

namespace soket::conn::detail {

class Ring {
 public:
  Ring() = default;
  ~Ring();
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;

  // Sets the ring up with `entries` submission entries, with the flags the kernel allows.
  Result<void> open(unsigned entries);
  io_uring& raw() { return ring_; }
  // A free submission entry, or null when the queue is full.
  io_uring_sqe* try_entry() { return io_uring_get_sqe(&ring_); }
  // Hands the queued entries to the kernel; false when it took none.
  bool submit() { return io_uring_submit(&ring_) > 0; }
  // Submits what is queued, then waits up to `timeout_ms` (-1: no limit, 0: not at all) for a
  // completion. A signal or the limit ends the wait early; both mean "go on".
  void submit_and_wait(int timeout_ms);
  // Submits, then waits until `count` completions are ready or `limit` has passed.
  void submit_and_gather(unsigned count, std::chrono::microseconds limit);
  unsigned completion_entries() const { return ring_.cq.ring_entries; }
  // Completions the kernel could not keep (its overflow list is out of memory too): each one
  // is an operation that will never be reported. Zero on a kernel that is not starved.
  unsigned lost_completions() const { return *ring_.cq.koverflow; }
  // Calls `handle(cqe)` for every completion ready, then marks them all seen.
  template <typename Handle>
  void for_each_completion(Handle&& handle) {
    unsigned head;
    unsigned seen = 0;
    io_uring_cqe* cqe;
    io_uring_for_each_cqe(&ring_, head, cqe) {
      ++seen;
      handle(*cqe);
    }
    io_uring_cq_advance(&ring_, seen);
  }

 private:
  void submit_and_wait_for(unsigned count, __kernel_timespec* limit);
  io_uring ring_{};
  bool open_ = false;
};

}  // namespace soket::conn::detail
