// Each subcommand registers its options and, when chosen, the action that main() runs.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <string_view>

#include "net/resolver.h"

namespace soket::cli {

using Action = std::function<int()>;

void add_echo_command(CLI::App& app, Action& action);
void add_demo_command(CLI::App& app, Action& action);
void add_bench_command(CLI::App& app, Action& action);
void add_transform_command(CLI::App& app, Action& action);
void add_chat_command(CLI::App& app, Action& action);
void add_sockets_command(CLI::App& app, Action& action);
void add_dns_command(CLI::App& app, Action& action);
void add_http_command(CLI::App& app, Action& action);
void add_connect_command(CLI::App& app, Action& action);
void add_listen_command(CLI::App& app, Action& action);

// "localhost:8080 (tcp)", "[::1]:8080 (udp)": how errors name what a client tried to reach.
std::string describe_target(std::string_view host, std::uint16_t port, net::Transport transport);

}  // namespace soket::cli
