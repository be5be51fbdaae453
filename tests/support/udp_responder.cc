#include "support/udp_responder.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

namespace soket::test {
namespace {

net::Fd bound_udp() {
  net::Fd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address);
  return fd;
}

int port_of(int fd) {
  sockaddr_in address{};
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  return ntohs(address.sin_port);
}

}  // namespace

UdpResponder::UdpResponder(Respond respond)
    : respond_(std::move(respond)), socket_(bound_udp()), stray_(bound_udp()) {
  port_ = port_of(socket_.get());
  thread_ = std::thread([this] { serve(); });
}

UdpResponder::~UdpResponder() {
  stop_ = true;
  thread_.join();
}

void UdpResponder::serve() {
  // Bounded: it checks for the stop flag every 50 ms and ends at the latest after 60 s.
  for (int ticks = 0; !stop_ && ticks < 1200; ++ticks) {
    pollfd ready{socket_.get(), POLLIN, 0};
    if (::poll(&ready, 1, 50) <= 0) continue;
    std::byte query[65536];
    sockaddr_storage from{};
    socklen_t length = sizeof from;
    const ssize_t n = ::recvfrom(socket_.get(), query, sizeof query, 0,
                                 reinterpret_cast<sockaddr*>(&from), &length);
    if (n <= 0) continue;
    for (const auto& reply : respond_(std::span(query, static_cast<std::size_t>(n)))) {
      const int fd = reply.from_other_port ? stray_.get() : socket_.get();
      ::sendto(fd, reply.bytes.data(), reply.bytes.size(), 0, reinterpret_cast<sockaddr*>(&from),
               length);
    }
  }
}

}  // namespace soket::test
