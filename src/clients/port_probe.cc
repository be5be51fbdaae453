#include "clients/port_probe.h"

#include <poll.h>

#include <array>

#include "net/deadline_io.h"
#include "net/socket_ops.h"

namespace soket::clients {

std::error_code probe_port(const std::vector<net::Address>& addresses, net::Transport transport,
                           TimePoint deadline, const std::optional<net::Address>& source) {
  auto connected = net::connect_any(addresses, transport, deadline, source);
  if (!connected) return connected.error();
  if (transport == net::Transport::tcp) return {};
  const int fd = connected->fd.get();
  if (auto sent = net::send_datagram(fd, {}, deadline); !sent) return sent.error();
  auto ready = net::wait_ready(fd, POLLIN, deadline);
  if (!ready) return ready.error() == std::errc::timed_out ? std::error_code() : ready.error();
  std::array<std::byte, 512> reply{};
  auto got = net::try_read(fd, reply);
  if (!got && !net::is_would_block(got.error())) return got.error();
  return {};
}

}  // namespace soket::clients
