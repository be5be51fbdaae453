// DatagramEndpoint: a bound UDP socket served on one loop, by one engine: epoll (UdpEndpoint,
// recvmmsg/sendmmsg) or io_uring (UringUdpEndpoint, a multishot recvmsg and batched sendmsg).
// A loop's ConnectionPool makes it (add_datagrams), so that the datagrams of a loop run on the
// same engine as its TCP connections; services see only this interface.
//
// Sending is best effort, as UDP is: a datagram the kernel cannot take when it is sent is
// dropped and counted, never queued without bound. Loop-thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "net/address.h"

namespace soket::conn {

class DatagramEndpoint;

class DatagramEvents {
 public:
  // `payload` is valid only during the call; sending it back (an echo) may spare a copy.
  virtual void on_datagram(DatagramEndpoint& endpoint, std::span<const std::byte> payload,
                           const net::Address& from) noexcept = 0;

 protected:
  ~DatagramEvents() = default;
};

class DatagramEndpoint {
 public:
  // > 65,507, the IPv4 UDP maximum, and 65,527, IPv6's without jumbograms.
  static constexpr std::size_t kMaxDatagram = 65536;

  virtual ~DatagramEndpoint() = default;

  // Stops receiving; what was sent still goes out.
  virtual void stop() = 0;
  // Queued and sent with the others of this batch or loop iteration, in the order sent.
  virtual void send_to(std::span<const std::byte> payload, const net::Address& to) = 0;

  std::uint64_t datagrams_in() const { return counts_.datagrams_in; }
  std::uint64_t datagrams_out() const { return counts_.datagrams_out; }
  std::uint64_t bytes_in() const { return counts_.bytes_in; }
  std::uint64_t bytes_out() const { return counts_.bytes_out; }
  std::uint64_t dropped() const { return counts_.dropped; }
  // The syscalls that carried datagrams out: sendmmsg(2) calls, or io_uring submissions.
  std::uint64_t send_calls() const { return counts_.send_calls; }

 protected:
  // Kept by each engine as it receives and sends.
  struct Counts {
    std::uint64_t datagrams_in = 0, datagrams_out = 0, bytes_in = 0, bytes_out = 0;
    std::uint64_t dropped = 0, send_calls = 0;
  };
  Counts counts_;
};

}  // namespace soket::conn
