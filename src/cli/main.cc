// soket: the command line. It parses options, calls into the library and prints; nothing
// here knows a protocol.
#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>

#include <exception>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

#include "cli/commands.h"
#include "cli/failure.h"
#include "cli/usage_error.h"

#ifndef SOKET_VERSION
#define SOKET_VERSION "0.0.0"
#endif

namespace {

// Whether stdout's reader went away before everything was written (`soket ... | head`). Output
// goes through stdio, which may have failed inside an earlier flush; a pipe whose read end is
// closed polls as POLLERR, which tells that apart from a full disk.
bool stdout_lost() {
  if (std::fflush(stdout) == 0 && std::ferror(stdout) == 0) return false;
  pollfd out{STDOUT_FILENO, 0, 0};
  return ::poll(&out, 1, 0) == 1 && (out.revents & POLLERR) != 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace soket::cli;
  // A write into a socket the peer has reset raises SIGPIPE, which ends the process. Sends
  // carry MSG_NOSIGNAL, but splice() (the echo's in-kernel reflection) and writes to pipes
  // and terminals have no such flag: one peer that resets mid-stream would kill the server.
  // Ignored here, before any thread starts, so every thread of every command inherits it;
  // the library itself never changes signal state (see STYLE.md).
  ::signal(SIGPIPE, SIG_IGN);
  CLI::App app{
      "soket: network programming done right (echo, transform, chat, dns, http, "
      "sockets, bench, connect, listen)",
      "soket"};
  app.set_version_flag("--version", std::string("soket ") + SOKET_VERSION);
  app.require_subcommand(1);
  Action action;
  add_echo_command(app, action);
  add_transform_command(app, action);
  add_chat_command(app, action);
  add_sockets_command(app, action);
  add_dns_command(app, action);
  add_http_command(app, action);
  add_connect_command(app, action);
  add_listen_command(app, action);
  add_demo_command(app, action);
  add_bench_command(app, action);
  // Set after the subcommands are added, so that they do not inherit it.
  app.footer(
      "soket help SUBCOMMAND [SUBSUBCOMMAND] (or soket SUBCOMMAND --help) shows its options.");
  // `soket help echo client` is `soket echo client --help`; CLI11 takes the words last first.
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args.front() == "help") {
    auto request = help_request(app, args);
    if (auto* failure = std::get_if<Failure>(&request)) return report(*failure);
    args = std::get<std::vector<std::string>>(std::move(request));
  }
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(std::move(reversed));
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return report(parse_failure(app, e));
  }
  // A parse can also succeed wrongly: `echo client -p --timeout 5` gives -p the word
  // --timeout and the positional HOST PORT the 5. The missing value is what went wrong.
  if (auto failure = option_taken_as_value(deepest_parsed(app))) return report(*failure);
  set_usage_command(command_path(deepest_parsed(app)));
  try {
    const int code = action ? action() : kExitUsage;
    return stdout_lost() ? kExitStdoutClosed : code;
  } catch (const std::system_error& e) {
    // The reader of stdout went away (`soket sockets | head`): with SIGPIPE ignored, the
    // write fails with EPIPE instead of killing us. Stop quietly with the status a shell
    // sees from a process that SIGPIPE ended, as `ss | head` gives.
    if (e.code() == std::errc::broken_pipe) return kExitStdoutClosed;
    return report({kExitFailure, fmt::format("internal error: {}", e.what())});
  } catch (const std::exception& e) {
    // Setup failures (no epoll, no memory) end here: one line, never a stack trace.
    return report({kExitFailure, fmt::format("internal error: {}", e.what())});
  }
}
