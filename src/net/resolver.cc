#include "net/resolver.h"

#include <netdb.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <memory>
#include <sstream>
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

// RFC 6761 §6.3: "localhost" and every name under it are the loopback addresses, answered
// without asking anyone. Without this, a machine with no /etc/hosts (a fresh container or
// chroot) would send the lookup out to its DNS server. IPv4 first: servers listen on
// 127.0.0.1 by default, and a client tries the addresses in order.
bool is_localhost_name(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  constexpr std::string_view kName = "localhost";
  if (host.size() < kName.size()) return false;
  const auto tail = host.substr(host.size() - kName.size());
  for (std::size_t i = 0; i < kName.size(); ++i) {
    if ((tail[i] | 0x20) != kName[i]) return false;
  }
  return host.size() == kName.size() || host[host.size() - kName.size() - 1] == '.';
}

std::vector<Address> loopback_addresses(std::uint16_t port) {
  return {Address::parse("127.0.0.1", port).value(), Address::parse("::1", port).value()};
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
  if (is_localhost_name(host)) return loopback_addresses(port);
  // No AI_ADDRCONFIG: it hides ::1 and 127.0.0.1 on a host whose only interface is loopback.
  return lookup(host, port, transport, 0);
}

Result<std::vector<Address>> resolve_bind(std::string_view host, std::uint16_t port,
                                          Transport transport) {
  auto numeric = Address::parse(host, port);
  if (numeric) return std::vector<Address>{numeric.value()};
  if (is_localhost_name(host)) return loopback_addresses(port);
  return lookup(host, port, transport, AI_PASSIVE);
}

namespace {

// "timeout:3" -> 3 when `word` is `name:` followed by a whole number, clamped to [1, cap].
std::optional<int> option_value(std::string_view word, std::string_view name, int cap) {
  if (word.size() <= name.size() || word.substr(0, name.size()) != name) return std::nullopt;
  word.remove_prefix(name.size());
  int value = 0;
  const auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
  if (ec == std::errc::result_out_of_range && end == word.data() + word.size())
    value = cap;
  else if (ec != std::errc() || end != word.data() + word.size())
    return std::nullopt;
  return std::clamp(value, 1, cap);
}

}  // namespace

ResolvConf parse_resolv_conf(std::string_view text) {
  ResolvConf conf;
  std::istringstream lines{std::string(text)};
  for (std::string line; std::getline(lines, line);) {
    line = line.substr(0, line.find_first_of("#;"));
    std::istringstream words(line);
    std::string keyword, word;
    if (!(words >> keyword)) continue;
    if (keyword == "nameserver" && words >> word &&
        conf.nameservers.size() < ResolvConf::kMaxNameservers) {
      conf.nameservers.push_back(word);
    }
    while (keyword == "options" && words >> word) {
      if (auto t = option_value(word, "timeout:", 30)) conf.timeout_seconds = t;
      if (auto a = option_value(word, "attempts:", 5)) conf.attempts = a;
    }
  }
  return conf;
}

std::optional<ResolvConf> read_resolv_conf(const std::string& path) {
  std::ifstream file(path);
  if (!file) return std::nullopt;
  std::ostringstream text;
  text << file.rdbuf();
  return parse_resolv_conf(text.str());
}

}  // namespace soket::net
