#include "proto/dns/tcp_framer.h"

#include <algorithm>

namespace soket::proto::dns {

std::size_t TcpFramer::feed(std::span<const std::byte> bytes) {
  std::size_t used = 0;
  while (prefix_have_ < 2 && used < bytes.size()) prefix_[prefix_have_++] = bytes[used++];
  if (prefix_have_ < 2) return used;
  if (!length_) {
    length_ =
        (std::to_integer<std::size_t>(prefix_[0]) << 8) | std::to_integer<std::size_t>(prefix_[1]);
    message_.reserve(*length_);  // At most 65,535 bytes: the field's own bound.
  }
  const std::size_t take = std::min(bytes.size() - used, *length_ - message_.size());
  message_.insert(message_.end(), bytes.begin() + static_cast<std::ptrdiff_t>(used),
                  bytes.begin() + static_cast<std::ptrdiff_t>(used + take));
  return used + take;
}

std::size_t TcpFramer::wanted() const {
  if (!length_) return 2 - prefix_have_;
  return *length_ - message_.size();
}

}  // namespace soket::proto::dns
