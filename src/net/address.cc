#include "net/address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>

namespace soket::net {

Address::Address(const sockaddr* addr, socklen_t length)
    : length_(std::min<socklen_t>(length, kCapacity)) {
  std::memcpy(&storage_, addr, length_);
}

Result<Address> Address::parse(std::string_view host, std::uint16_t port) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string text(host);
  Address address;
  auto* v4 = &address.storage_.v4;
  auto* v6 = &address.storage_.v6;
  if (::inet_pton(AF_INET, text.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    address.length_ = sizeof(sockaddr_in);
  } else if (::inet_pton(AF_INET6, text.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    address.length_ = sizeof(sockaddr_in6);
  } else {
    return std::make_error_code(std::errc::invalid_argument);
  }
  address.set_port(port);
  return address;
}

std::uint16_t Address::port() const {
  if (family() == AF_INET) return ntohs(storage_.v4.sin_port);
  if (family() == AF_INET6) return ntohs(storage_.v6.sin6_port);
  return 0;
}

void Address::set_port(std::uint16_t port) {
  if (family() == AF_INET) storage_.v4.sin_port = htons(port);
  if (family() == AF_INET6) storage_.v6.sin6_port = htons(port);
}

std::string Address::host() const {
  char text[INET6_ADDRSTRLEN] = "?";
  if (family() == AF_INET) {
    ::inet_ntop(AF_INET, &storage_.v4.sin_addr, text, sizeof text);
  } else if (family() == AF_INET6) {
    ::inet_ntop(AF_INET6, &storage_.v6.sin6_addr, text, sizeof text);
  }
  return text;
}

std::string Address::to_string() const {
  // Built by append: GCC 12 warns falsely (-Wrestrict) on chained operator+ here.
  std::string text;
  if (is_v6()) text.push_back('[');
  text.append(host());
  if (is_v6()) text.push_back(']');
  text.push_back(':');
  text.append(std::to_string(port()));
  return text;
}

bool Address::operator==(const Address& other) const {
  return length_ == other.length_ && std::memcmp(data(), other.data(), length_) == 0;
}

std::size_t AddressHash::operator()(const Address& address) const {
  // FNV-1a over the bytes the kernel filled in; the rest of the storage is always zero.
  const auto* bytes = reinterpret_cast<const unsigned char*>(address.data());
  std::size_t hash = 1469598103934665603ull;
  for (socklen_t i = 0; i < address.length(); ++i) hash = (hash ^ bytes[i]) * 1099511628211ull;
  return hash;
}

Result<std::uint16_t> parse_port(std::string_view text) {
  unsigned long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::invalid_argument || end != text.data() + text.size() || text.empty()) {
    return std::make_error_code(std::errc::invalid_argument);
  }
  if (ec == std::errc::result_out_of_range || value > 65535) {
    return std::make_error_code(std::errc::result_out_of_range);
  }
  return static_cast<std::uint16_t>(value);
}

}  // namespace soket::net
