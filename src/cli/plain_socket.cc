#include "cli/plain_socket.h"

#include <fmt/core.h>
#include <sys/socket.h>

#include <algorithm>

namespace soket::cli {

std::optional<std::string> unix_path(std::string_view target) {
  constexpr std::string_view kPrefix = "unix:";
  if (target.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  return std::string(target.substr(kPrefix.size()));
}

int family_of(bool ipv4, bool ipv6) {
  if (ipv4 && !ipv6) return AF_INET;
  if (ipv6 && !ipv4) return AF_INET6;
  return AF_UNSPEC;
}

std::vector<net::Address> keep_family(std::vector<net::Address> addresses, int family) {
  if (family == AF_UNSPEC) return addresses;
  std::erase_if(addresses, [family](const net::Address& a) { return a.family() != family; });
  return addresses;
}

std::string_view family_name(int family) {
  return family == AF_INET6 ? "IPv6" : "IPv4";
}

std::string seconds_words(Duration duration) {
  return fmt::format("{:g} s", std::chrono::duration<double>(duration).count());
}

int finish_relay(const clients::RelayOutcome& outcome, std::string_view peer, bool peer_is_server) {
  // Nobody reads stdout any more (`soket connect ... | head`): quiet, with the status every
  // soket command gives then (see main.cc).
  if (outcome.ending == clients::RelayEnding::output_closed) return kExitStdoutClosed;
  if (outcome.ending != clients::RelayEnding::failed) return kExitOk;
  const auto& error = outcome.error;
  if (!outcome.on_socket) {
    return report(
        {kExitFailure, fmt::format("reading stdin or writing stdout failed: {}", error.message())});
  }
  const bool reset = error == std::errc::connection_reset || error == std::errc::broken_pipe;
  if (reset && !peer_is_server) {
    return report({kExitNetworkError,
                   fmt::format("the client {} closed the connection abruptly (reset) after {} "
                               "bytes in and {} bytes out",
                               peer, outcome.bytes_received, outcome.bytes_sent)});
  }
  if (reset) {
    return report({kExitNetworkError,
                   fmt::format("{} closed the connection abruptly (reset) after {} bytes in and "
                               "{} bytes out; the server may have crashed or refused us",
                               peer, outcome.bytes_received, outcome.bytes_sent)});
  }
  return report(client_failure(error, peer, Duration::zero()));
}

}  // namespace soket::cli
