// Address: an IPv4 or IPv6 socket address, parsed and printed numerically. It holds a union of
// sockaddr_in and sockaddr_in6 (28 bytes) rather than a sockaddr_storage (128): every
// connection keeps its peer's, and a server may hold a great many.
// Printing follows RFC 3986 authority form: "127.0.0.1:8080", "[::1]:8080".
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace soket::net {

class Address {
 public:
  Address() = default;
  // Copies a kernel-filled sockaddr; the length must fit sockaddr_storage.
  Address(const sockaddr* addr, socklen_t length);

  // A numeric host ("127.0.0.1", "::1", "[::1]") and a port; no name lookup.
  static Result<Address> parse(std::string_view host, std::uint16_t port);

  int family() const { return storage_.any.sa_family; }
  bool is_v6() const { return family() == AF_INET6; }
  std::uint16_t port() const;
  void set_port(std::uint16_t port);
  std::string host() const;
  std::string to_string() const;

  const sockaddr* data() const { return &storage_.any; }
  sockaddr* data() { return &storage_.any; }
  socklen_t length() const { return length_; }
  // For calls that fill the address in (accept, recvfrom): capacity in, length out.
  socklen_t* length_slot() { return &length_; }
  static constexpr socklen_t kCapacity = sizeof(sockaddr_in6);

  bool operator==(const Address& other) const;

 private:
  union Storage {
    sockaddr any;
    sockaddr_in v4;
    sockaddr_in6 v6;
  };
  Storage storage_{};
  socklen_t length_ = 0;
};

struct AddressHash {
  std::size_t operator()(const Address& address) const;
};

// A port from the command line: a whole number in 0..65535 (0 asks for an ephemeral port).
Result<std::uint16_t> parse_port(std::string_view text);

}  // namespace soket::net
