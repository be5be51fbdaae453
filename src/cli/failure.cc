#include "cli/failure.h"

#include <fmt/core.h>

#include "core/log.h"
#include "net/output_file.h"
#include "net/resolver.h"

namespace soket::cli {
namespace {

std::string seconds_text(Duration duration) {
  return fmt::format("{:g} s", std::chrono::duration<double>(duration).count());
}

std::string& usage_command() {
  static std::string command = "soket";
  return command;
}

}  // namespace

Failure bind_failure(const std::error_code& error, std::string_view where) {
  if (net::is_host_not_found(error)) {
    return {kExitHostNotFound, fmt::format("cannot listen on host '{}': {}; give an IP address "
                                           "such as 127.0.0.1 or ::1",
                                           where, error.message())};
  }
  if (error == std::errc::address_in_use) {
    return {kExitAddressInUse,
            fmt::format("{} is already in use; stop the program that holds it (ss -ltnup shows "
                        "it) or choose another port with -p",
                        where)};
  }
  if (error == std::errc::permission_denied || error == std::errc::operation_not_permitted) {
    return {kExitPermissionDenied,
            fmt::format("permission denied to listen on {}; ports below 1024 need root or "
                        "CAP_NET_BIND_SERVICE, so choose a port from 1024 up",
                        where)};
  }
  if (error == std::errc::address_not_available) {
    return {kExitNetworkError,
            fmt::format("cannot listen on {}: no interface of this machine has that address; "
                        "use 127.0.0.1, ::1, 0.0.0.0 or ::",
                        where)};
  }
  return {kExitNetworkError, fmt::format("cannot listen on {}: {}", where, error.message())};
}

Failure client_failure(const std::error_code& error, std::string_view target, Duration timeout) {
  if (net::is_host_not_found(error)) {
    return {kExitHostNotFound,
            fmt::format("host of {} not found ({}); check the name, or give an IP address", target,
                        error.message())};
  }
  if (error == std::errc::connection_refused) {
    return {kExitConnectionRefused,
            fmt::format("connection refused by {}; is a server running on that port?", target)};
  }
  if (error == std::errc::timed_out) {
    return {kExitTimedOut, fmt::format("no answer from {} within {}; check the server, or allow "
                                       "more time with --timeout",
                                       target, seconds_text(timeout))};
  }
  if (error == std::errc::connection_reset || error == std::errc::broken_pipe) {
    return {kExitNetworkError,
            fmt::format("{} closed the connection abruptly (reset); the server may have "
                        "crashed or refused us",
                        target)};
  }
  if (error == std::errc::network_unreachable || error == std::errc::host_unreachable) {
    return {kExitNetworkError,
            fmt::format("{} is unreachable ({}); check the address and the route", target,
                        error.message())};
  }
  return {kExitNetworkError, fmt::format("talking to {} failed: {}", target, error.message())};
}

Failure usage_failure(std::string_view message) {
  return {kExitUsage, fmt::format("{}; see {} --help", message, usage_command())};
}

void set_usage_command(std::string command) {
  usage_command() = std::move(command);
}

int report(const Failure& failure) {
  log::write_line("soket: " + failure.message);
  return failure.code;
}

Failure output_failure(const std::string& path, const std::error_code& error,
                       std::string_view flag) {
  std::string why = error.message();
  if (error == net::output_errc::folder_missing || error == net::output_errc::folder_not_writable) {
    const auto slash = path.rfind('/');
    why += fmt::format(" ('{}')", slash == std::string::npos ? "."
                                  : slash == 0               ? "/"
                                                             : path.substr(0, slash));
  }
  return {kExitFailure,
          fmt::format("cannot write {}{}'{}': {}", flag, flag.empty() ? "" : " ", path, why)};
}

}  // namespace soket::cli
