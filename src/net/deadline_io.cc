#include "net/deadline_io.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "net/socket_ops.h"

namespace soket::net {
namespace {

int poll_timeout_ms(TimePoint deadline) {
  if (deadline == TimePoint::max()) return -1;
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(left.count(), 0, 1 << 30));
}

Result<Fd> connect_one(const Address& address, Transport transport, TimePoint deadline,
                       const std::optional<Address>& source) {
  auto fd = open_socket(address.family(), transport == Transport::tcp ? SOCK_STREAM : SOCK_DGRAM);
  if (!fd) return fd.error();
  if (source && ::bind(fd->get(), source->data(), source->length()) != 0) {
    return last_system_error();
  }
  int status;
  do {
    status = ::connect(fd->get(), address.data(), address.length());
  } while (status != 0 && errno == EINTR);
  if (status != 0 && errno != EINPROGRESS) return last_system_error();
  if (status != 0) {
    if (auto ready = wait_ready(fd->get(), POLLOUT, deadline); !ready) return ready.error();
    if (auto error = pending_error(fd->get())) return error;
  }
  return std::move(fd).value();
}

}  // namespace

Result<void> wait_ready(int fd, short events, TimePoint deadline) {
  for (;;) {
    pollfd entry{fd, events, 0};
    const int n = ::poll(&entry, 1, poll_timeout_ms(deadline));
    if (n > 0) return {};
    if (n == 0) return std::make_error_code(std::errc::timed_out);
    if (errno != EINTR) return last_system_error();
  }
}

Result<std::size_t> wait_any(std::span<pollfd> fds, TimePoint deadline) {
  for (;;) {
    const int n = ::poll(fds.data(), fds.size(), poll_timeout_ms(deadline));
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) return last_system_error();
  }
}

Result<Connected> connect_any(const std::vector<Address>& addresses, Transport transport,
                              TimePoint deadline, const std::optional<Address>& source) {
  std::error_code last_error = std::make_error_code(std::errc::address_not_available);
  for (const auto& address : addresses) {
    if (source && source->family() != address.family()) continue;
    auto fd = connect_one(address, transport, deadline, source);
    if (fd) return Connected{std::move(fd).value(), address};
    last_error = fd.error();
    if (last_error == std::errc::timed_out) break;  // The time is spent for every address.
  }
  return last_error;
}

Result<Connected> connect_host(std::string_view host, std::uint16_t port, Transport transport,
                               TimePoint deadline) {
  auto addresses = resolve(host, port, transport);
  if (!addresses) return addresses.error();
  return connect_any(*addresses, transport, deadline);
}

Result<void> write_all(int fd, std::span<const std::byte> bytes, TimePoint deadline) {
  while (!bytes.empty()) {
    auto written = try_write(fd, bytes);
    if (written) {
      bytes = bytes.subspan(*written);
    } else if (is_would_block(written.error())) {
      if (auto ready = wait_ready(fd, POLLOUT, deadline); !ready) return ready;
    } else {
      return written.error();
    }
  }
  return {};
}

Result<void> send_datagram(int fd, std::span<const std::byte> payload, TimePoint deadline) {
  for (;;) {
    auto sent = try_write(fd, payload);
    if (sent) return {};
    if (!is_would_block(sent.error())) return sent.error();
    if (auto ready = wait_ready(fd, POLLOUT, deadline); !ready) return ready;
  }
}

Result<std::size_t> read_some(int fd, std::span<std::byte> into, TimePoint deadline) {
  for (;;) {
    auto got = try_read(fd, into);
    if (got || !is_would_block(got.error())) return got;
    if (auto ready = wait_ready(fd, POLLIN, deadline); !ready) return ready.error();
  }
}

}  // namespace soket::net
