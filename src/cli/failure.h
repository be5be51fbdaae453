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
// A bad option or argument found after parsing: "<message>; see soket echo server --help",
// naming the subcommand set by set_usage_command (main() does, once the parse succeeds).
Failure usage_failure(std::string_view message);
// A file soket was asked to write (http -o, bench --histogram): "cannot write 'x/y': the
// folder it would go in does not exist ('x')" and the like (net::OutputFile's reasons).
// `flag`, when given, names the option the path came from: "cannot write --plot 'x.svg': ...".
Failure output_failure(const std::string& path, const std::error_code& error,
                       std::string_view flag = {});
// "soket echo server": the command whose --help usage_failure points at (default "soket").
void set_usage_command(std::string command);

// Prints "soket: <message>" on stderr and returns the exit code.
int report(const Failure& failure);

}  // namespace soket::cli
