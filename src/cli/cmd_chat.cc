// soket chat server | client (seed 004): a password-protected room over UDP and TCP.
#include <fmt/core.h>

#include <unistd.h>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <memory>
#include <vector>

#include "cli/chat_client_run.h"
#include "cli/chat_redis.h"
#include "cli/commands.h"
#include "cli/line_editor.h"
#include "cli/option_checks.h"
#include "cli/server_flags.h"
#include "core/async_line_writer.h"
#include "services/chat_service.h"

namespace soket::cli {
namespace {

struct ChatServerFlags {
  ServerFlags server;
  std::string password_file;
  std::size_t max_users = 1000;
  int rate_limit = 20;
  double idle_timeout = 60;
  std::size_t max_output_total = 64 * 1024 * 1024;
  std::size_t max_pending_udp = 1024;
  bool seed_compatible = false;
  bool no_web = false;
  std::vector<std::string> web_origins;
  ChatRedisFlags redis;
};

// An origin as browsers send it (RFC 6454 section 6.1): scheme "://" host [":" port], with
// no path; compared without case.
std::string check_web_origin(const std::string& origin) {
  const bool scheme = origin.rfind("http://", 0) == 0 || origin.rfind("https://", 0) == 0;
  const auto host = origin.substr(origin.find("://") + 3);
  if (!scheme || host.empty() || host.find_first_of("/?# ") != std::string::npos) {
    return "an origin is http://HOST[:PORT] or https://HOST[:PORT], as a browser sends it";
  }
  return {};
}

// --password-file (its first line), else SOKET_CHAT_PASSWORD, else asked on the terminal.
std::optional<Failure> find_password(const ChatServerFlags& flags, std::string& password) {
  if (!flags.password_file.empty()) {
    std::ifstream file(flags.password_file);
    if (!file) {
      return usage_failure(fmt::format("cannot read the password file '{}'", flags.password_file));
    }
    std::getline(file, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
  } else if (const char* value = std::getenv("SOKET_CHAT_PASSWORD")) {
    password = value;
  } else if (auto typed = read_secret("Room password: ")) {
    password = *typed;
  } else {
    return usage_failure(
        "the room needs a password: give --password-file FILE, set SOKET_CHAT_PASSWORD, or "
        "run on a terminal to type it");
  }
  if (password.empty()) return usage_failure("the room password is empty; choose one");
  return std::nullopt;
}

// The room's log must never stop the room when nobody reads stdout: lines go through a
// bounded queue that a thread of its own writes (see core/async_line_writer.h).
constexpr std::size_t kLogQueueBytes = 1024 * 1024;

std::string with_time(std::string_view line) {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  ::localtime_r(&now, &local);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &local);
  return fmt::format("[{}] {}", stamp, line);
}

int run_chat_server(const ChatServerFlags& flags) {
  services::ServerConfig config;
  if (auto failure = to_server_config(flags.server, true, config)) return report(*failure);
  config.threads = 1;  // One room, one loop: see ChatService.
  // Every delivery is one small line, often several to one member in a row: with Nagle, the
  // second waits for the member's (delayed) ACK of the first, up to 40 ms per line.
  config.socket_options.no_delay = true;
  services::ChatConfig chat;
  if (auto failure = check_redis_flags(flags.redis)) return report(*failure);
  if (auto failure = find_password(flags, chat.password)) return report(*failure);
  chat.limits.max_users = flags.max_users;
  chat.limits.messages_per_second = flags.rate_limit;
  chat.udp_idle_timeout = from_seconds(flags.idle_timeout);
  chat.handshake_timeout = config.handshake_timeout;
  chat.output_limit = config.output_limit;
  chat.total_output_limit = flags.max_output_total;
  chat.max_pending_udp = flags.max_pending_udp;
  chat.seed_compatible = flags.seed_compatible;
  chat.web.enabled = !flags.no_web;
  chat.web.more_origins = flags.web_origins;
  if (auto problem = services::chat_config_problem(chat)) {
    return report(usage_failure(*problem));
  }
  std::fflush(stdout);  // The writer thread writes to fd 1 directly, after what stdio holds.
  auto writer = std::make_shared<AsyncLineWriter>(STDOUT_FILENO, kLogQueueBytes);
  chat.log = [writer](std::string_view line) { writer->push(with_time(line)); };
  // Filled in once the port is bound (the server's label names it) and Redis answered.
  auto room = std::make_shared<services::ChatConfig>(std::move(chat));
  BeforeListening with_redis;
  if (!flags.redis.url.empty()) {
    with_redis = [&flags, room](const services::Server& server) {
      room->federation.emplace();
      return connect_redis(flags.redis, server, *room->federation);
    };
  }
  return serve(
      std::move(config),
      [room](reactor::EventLoop& loop) {
        return std::make_unique<services::ChatService>(loop, *room);
      },
      with_redis);
}

void add_server(CLI::App& chat, Action& action) {
  auto* command = chat.add_subcommand("server", "A password-protected chat room (TCP and UDP)");
  auto flags = std::make_shared<ChatServerFlags>();
  add_server_flags(*command, flags->server, /*transports_both=*/true, /*idle_timeout=*/false);
  command->add_option("--password-file", flags->password_file,
                      "The room's password is this file's first line");
  command->add_option("--max-users", flags->max_users, "Members at most")
      ->check(count_between(1, 1'000'000))
      ->capture_default_str();
  command
      ->add_option("--rate-limit", flags->rate_limit,
                   "Messages per second a member may send (0: no limit, for benchmarks)")
      ->check(count_between(0, 1'000'000))
      ->capture_default_str();
  command
      ->add_option("--idle-timeout", flags->idle_timeout,
                   "Seconds of silence after which a UDP member is dropped")
      ->check(seconds_between(0.01, 604800))
      ->capture_default_str();
  command
      ->add_option("--max-output-total", flags->max_output_total,
                   "Bytes queued for all slow readers together; past it the largest is dropped")
      ->check(bytes_between(4096, std::uint64_t{1} << 40))
      ->capture_default_str();
  command
      ->add_option("--max-pending-udp", flags->max_pending_udp,
                   "UDP sessions not yet joined, per stage (strangers; password given)")
      ->check(count_between(1, 1'000'000))
      ->capture_default_str();
  command->add_flag("--seed-compatible", flags->seed_compatible,
                    "Let UDP members that never used their token (seed 004's client) go "
                    "without it (they can then be spoofed)");
  command->add_flag("--no-web", flags->no_web,
                    "Serve no web page or WebSocket on the TCP port: only the line protocol");
  command
      ->add_option("--web-origin", flags->web_origins,
                   "Let pages from this origin join over WebSocket too (repeatable; the "
                   "server's own page always may)")
      ->check(CLI::Validator(check_web_origin, "ORIGIN"));
  command->add_option("--redis", flags->redis.url,
                      "Serve one room with every server on this Redis: redis://HOST:PORT[/DB]");
  command->add_option("--room", flags->redis.room, "The room's name in Redis (with --redis)")
      ->capture_default_str();
  command
      ->add_option("--history", flags->redis.history,
                   "Messages a member who joins is sent first, from Redis (with --redis)")
      ->check(count_between(0, static_cast<std::int64_t>(services::kHistoryKept)))
      ->capture_default_str();
  command->add_option("--server-name", flags->redis.server_name,
                      "How /who names this server (with --redis; default HOSTNAME:PORT)");
  command
      ->add_option("--name-expiry", flags->redis.name_expiry,
                   "Seconds within which a server that died silently loses its members' names "
                   "(with --redis)")
      ->check(seconds_between(1, 30))
      ->capture_default_str();
  command->callback([flags, &action] { action = [flags] { return run_chat_server(*flags); }; });
}

void add_client(CLI::App& chat, Action& action) {
  auto* command = chat.add_subcommand("client", "Join a chat room");
  auto flags = std::make_shared<ChatClientFlags>();
  command->add_option("-p,--port", flags->port, "Port of the server")->required();
  command->add_option("-H,--host", flags->host, "Host of the server")->capture_default_str();
  command->add_flag("--udp", flags->udp, "Join over UDP");
  command->add_option("-u,--user", flags->name, "Your name in the room");
  command->add_option("--timeout", flags->timeout, "Seconds to wait for the server")
      ->check(seconds_between(0.001, 86400))
      ->capture_default_str();
  command->callback([flags, &action] { action = [flags] { return run_chat_client(*flags); }; });
}

}  // namespace

void add_chat_command(CLI::App& app, Action& action) {
  auto* chat = app.add_subcommand("chat", "The chat room of seed 004");
  chat->require_subcommand(1);
  add_server(*chat, action);
  add_client(*chat, action);
}

}  // namespace soket::cli
