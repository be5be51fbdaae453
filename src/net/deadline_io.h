// Blocking-style I/O with a deadline, for simple clients: each call waits with poll(2) on a
// non-blocking socket, so no call can hang past its deadline. Servers use the reactor instead.
// A deadline that passes gives std::errc::timed_out.
#pragma once

#include <poll.h>

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/clock.h"
#include "core/result.h"
#include "net/address.h"
#include "net/fd.h"
#include "net/resolver.h"

namespace soket::net {

// Waits until fd is ready for `events` (POLLIN / POLLOUT) or the deadline passes.
Result<void> wait_ready(int fd, short events, TimePoint deadline);
// Waits until one of `fds` is ready or the deadline passes (poll(2), EINTR retried); returns
// how many are ready, 0 when the deadline passed. Their `revents` say which.
Result<std::size_t> wait_any(std::span<pollfd> fds, TimePoint deadline);

struct Connected {
  Fd fd;
  Address peer;
};
// Tries each address in turn until one connects. For UDP the socket is connect(2)ed, so it
// only hears from that peer and learns of ICMP "port unreachable" as ECONNREFUSED.
// On failure returns the error of the last address tried. With `source`, each socket is first
// bound to it (as nc -s does), and addresses of the other family are skipped.
Result<Connected> connect_any(const std::vector<Address>& addresses, Transport transport,
                              TimePoint deadline,
                              const std::optional<Address>& source = std::nullopt);

// Resolves `host` and connects to the first of its addresses that answers.
Result<Connected> connect_host(std::string_view host, std::uint16_t port, Transport transport,
                               TimePoint deadline);

Result<void> write_all(int fd, std::span<const std::byte> bytes, TimePoint deadline);
// One datagram, empty ones included, on a connected UDP socket.
Result<void> send_datagram(int fd, std::span<const std::byte> payload, TimePoint deadline);
// Reads what is there (at least one byte), or 0 at end of stream.
Result<std::size_t> read_some(int fd, std::span<std::byte> into, TimePoint deadline);

}  // namespace soket::net
