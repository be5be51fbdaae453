// soket: the command line. It parses options, calls into the library and prints; nothing
// here knows a protocol.
#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include <signal.h>

#include <exception>

#include "cli/commands.h"
#include "cli/failure.h"

#ifndef SOKET_VERSION
#define SOKET_VERSION "0.0.0"
#endif

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
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return report(usage_failure(e.what()));
  }
  try {
    return action ? action() : kExitUsage;
  } catch (const std::exception& e) {
    // Setup failures (no epoll, no memory) end here: one line, never a stack trace.
    return report({kExitFailure, fmt::format("internal error: {}", e.what())});
  }
}
