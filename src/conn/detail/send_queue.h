// SendQueue: the bytes one connection has queued and not yet sent, for a sender that has one
// send in flight at a time (UringConnection). The send in flight carries a front part that
// the kernel reads until it completes, so that part must not move: what arrives meanwhile is
// appended to a second vector behind it, and the two swap when the front has all gone.
#pragma once

#include <cstddef>
#include <cstring>
#include <span>
#include <utility>
#include <vector>

namespace soket::conn::detail {

class SendQueue {
 public:
  std::size_t size() const { return sending_.size() - sent_ + arrived_.size(); }
  bool empty() const { return size() == 0; }

  void append(const std::byte* bytes, std::size_t count) {
    // resize and memcpy rather than insert: GCC 12 at -O3 warns falsely (array-bounds) on
    // an inlined vector::insert of a range.
    const std::size_t at = arrived_.size();
    // Past kKeptCapacity the vector grows by steps instead of doubling: a queue held near
    // --max-output then costs that much memory, not up to twice as much.
    if (at + count > arrived_.capacity() && at + count > kKeptCapacity) {
      arrived_.reserve((at + count + kGrowthStep - 1) / kGrowthStep * kGrowthStep);
    }
    arrived_.resize(at + count);
    if (count > 0) std::memcpy(arrived_.data() + at, bytes, count);
  }

  // The bytes for the next send (empty when none are queued). They stay where they are, and
  // unchanged, until consumed() is called: call this only when no send is in flight.
  std::span<const std::byte> front() {
    if (sent_ == sending_.size()) {
      sending_.clear();
      sent_ = 0;
      std::swap(sending_, arrived_);
      if (sending_.empty()) trim();
    }
    return {sending_.data() + sent_, sending_.size() - sent_};
  }
  // `count` bytes of front() have been sent.
  void consumed(std::size_t count) { sent_ += count; }

 private:
  // An idle queue keeps this much memory, so that ping-pong does not allocate per message; a
  // queue that once held more gives the rest back once drained.
  static constexpr std::size_t kKeptCapacity = 64 * 1024;
  static constexpr std::size_t kGrowthStep = 256 * 1024;

  void trim() {
    if (sending_.capacity() > kKeptCapacity) std::vector<std::byte>().swap(sending_);
    if (arrived_.capacity() > kKeptCapacity) std::vector<std::byte>().swap(arrived_);
  }

  std::vector<std::byte> sending_, arrived_;
  std::size_t sent_ = 0;  // How much of sending_ has gone.
};

}  // namespace soket::conn::detail
