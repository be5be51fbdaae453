// soket demo: the guided tour, stop by stop.
#include <fmt/core.h>

#include <cstdio>

#include "cli/commands.h"
#include "cli/demo_tour.h"
#include "cli/exit_codes.h"
#include "core/log.h"

namespace soket::cli {
namespace demo {

void heading(int number, std::string_view title, std::string_view why) {
  fmt::print("\n[{}] {}: {}\n", number, title, why);
}

void say(std::string_view line) {
  fmt::print("    {}\n", line);
  std::fflush(stdout);
}

void server_stopped(const services::ServerStats& stats) {
  say(fmt::format("server stopped cleanly: {} connections, {} datagrams, {} bytes in, {} bytes out",
                  stats.connections, stats.datagrams_in, stats.bytes_in, stats.bytes_out));
}

}  // namespace demo

namespace {

int run_demo() {
  // The tour prints its own account; connection logs would only clutter it.
  log::set_level(log::Level::quiet);
  fmt::print(
      "soket demo: a guided tour of the classic socket programs, done right.\n"
      "Every server below runs on an ephemeral port of 127.0.0.1 and stops by itself.\n");
  using Stop = int (*)(int);
  const Stop stops[] = {demo::echo_tcp_stop, demo::echo_udp_stop,   demo::transform_stop,
                        demo::chat_stop,     demo::chat_redis_stop, demo::web_stop,
                        demo::sockets_stop,  demo::dns_stop,        demo::http_stop};
  int number = 0;
  for (const Stop stop : stops) {
    if (const int code = stop(++number); code != kExitOk) return code;
  }
  fmt::print("\nAll {} stops passed.\n", number);
  return kExitOk;
}

}  // namespace

void add_demo_command(CLI::App& app, Action& action) {
  auto* command = app.add_subcommand("demo", "A guided tour: each server with its client");
  command->callback([&action] { action = run_demo; });
}

}  // namespace soket::cli
