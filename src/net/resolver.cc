#include "net/resolver.h"

#include <netdb.h>

#include <memory>
#include <string>

namespace soket::net {
namespace {

class ResolverCategory : public std::error_category {
 public:
  const char* name() const noexcept override { return "resolver"; }
  std::string message(int code) const override { return ::gai_strerror(code); }
};

struct AddrinfoDeleter {
  void operator()(addrinfo* list) const { ::freeaddrinfo(list); }
};

Result<std::vector<Address>> lookup(std::string_view host, std::uint16_t port, Transport transport,
                                    int flags) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = transport == Transport::tcp ? SOCK_STREAM : SOCK_DGRAM;
  hints.ai_flags = flags | AI_NUMERICSERV;
  const std::string host_text(host);
  const std::string port_text = std::to_string(port);
  addrinfo* raw = nullptr;
  const int status = ::getaddrinfo(host_text.c_str(), port_text.c_str(), &hints, &raw);
  if (status == EAI_SYSTEM) return last_system_error();
  if (status != 0) return std::error_code(status, resolver_category());
  const std::unique_ptr<addrinfo, AddrinfoDeleter> list(raw);
  std::vector<Address> addresses;
  for (const addrinfo* entry = list.get(); entry != nullptr; entry = entry->ai_next) {
    Address address(entry->ai_addr, entry->ai_addrlen);
    bool duplicate = false;
    for (const auto& seen : addresses) duplicate = duplicate || seen == address;
    if (!duplicate) addresses.push_back(address);
  }
  if (addresses.empty()) return std::error_code(EAI_NONAME, resolver_category());
  return addresses;
}

}  // namespace

const std::error_category& resolver_category() {
  static const ResolverCategory category;
  return category;
}

bool is_host_not_found(const std::error_code& error) {
  if (error.category() != resolver_category()) return false;
  switch (error.value()) {
    case EAI_NONAME:
    case EAI_AGAIN:
    case EAI_FAIL:
    case EAI_NODATA:
    case EAI_ADDRFAMILY:
      return true;
    default:
      return false;
  }
}

Result<std::vector<Address>> resolve(std::string_view host, std::uint16_t port,
                                     Transport transport) {
  // No AI_ADDRCONFIG: it hides ::1 and 127.0.0.1 on a host whose only interface is loopback.
  return lookup(host, port, transport, 0);
}

Result<std::vector<Address>> resolve_bind(std::string_view host, std::uint16_t port,
                                          Transport transport) {
  auto numeric = Address::parse(host, port);
  if (numeric) return std::vector<Address>{numeric.value()};
  return lookup(host, port, transport, AI_PASSIVE);
}

}  // namespace soket::net
