// The guided tour of `soket demo`: each stop starts a server on an ephemeral loopback port,
// runs the matching client against it, prints the exchange, and shuts everything down.
#pragma once

#include <string_view>

#include "services/server.h"

namespace soket::cli::demo {

// Prints a stop's heading and the equivalent command lines, indented.
void heading(int number, std::string_view title, std::string_view why);
void say(std::string_view line);
void server_stopped(const services::ServerStats& stats);

// Each returns 0 when the stop went as it should, else an exit code.
int echo_tcp_stop(int number);
int echo_udp_stop(int number);
int transform_stop(int number);
int chat_stop(int number);
int chat_redis_stop(int number);
int web_stop(int number);
int sockets_stop(int number);
int dns_stop(int number);
int http_stop(int number);

}  // namespace soket::cli::demo
