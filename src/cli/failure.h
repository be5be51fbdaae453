// Failure: what went wrong, as an exit code and one line for stderr that says what to do.
#pragma once

#include <string>
#include <string_view>
#include <system_error>

#include "cli/exit_codes.h"
#include "core/clock.h"

namespace soket::cli {

struct Failure {
  ExitCode code;
  std::string message;
};

// A server could not bind or resolve `where`.
Failure bind_failure(const std::error_code& error, std::string_view where);
// A client could not reach or talk to `target`; `timeout` is what --timeout allowed.
Failure client_failure(const std::error_code& error, std::string_view target, Duration timeout);
Failure usage_failure(std::string_view message);

// Prints "soket: <message>" on stderr and returns the exit code.
int report(const Failure& failure);

}  // namespace soket::cli
