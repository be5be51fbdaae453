// The demo's stop for seed 004's room across servers: two chat servers, one Redis, a member
// on each, and a message that crosses from one server to the other.
#include <fmt/core.h>

#include <memory>

#include "cli/demo_chat_member.h"
#include "cli/demo_redis_process.h"
#include "cli/demo_tour.h"
#include "cli/failure.h"
#include "clients/chat_connection.h"
#include "proto/chat/client_lines.h"
#include "services/background_server.h"
#include "services/chat_service.h"

namespace soket::cli::demo {
namespace {

// Prints lines `member` receives until one contains `until` (bounded by kChatWait each).
bool show_until(ChatMember& member, std::string_view until) {
  for (int lines = 0; lines < 10; ++lines) {
    auto line = member.connection.wait_line(Clock::now() + kChatWait);
    if (!line) return false;
    say(fmt::format("{} <- {}", member.name, *line));
    if (line->find(until) != std::string::npos) return true;
  }
  return false;
}

bool send(ChatMember& member, const std::string& line) {
  say(fmt::format("{} -> {}", member.name, line));
  return member.connection.send_line(line, Clock::now() + kChatWait).ok();
}

std::optional<ChatMember> join(std::uint16_t port, const std::string& name) {
  auto connection =
      clients::ChatConnection::connect("127.0.0.1", port, net::Transport::tcp, kChatWait);
  if (!connection) return std::nullopt;
  ChatMember member{name, std::move(connection).value()};
  if (!send(member, proto::chat::password_line("demo")) || !show_until(member, "PASSWORD OK") ||
      !send(member, proto::chat::username_line(name)) ||
      !show_until(member, name + " joined the chat room.")) {
    return std::nullopt;
  }
  return member;
}

std::unique_ptr<services::BackgroundServer> chat_server(std::uint16_t redis_port,
                                                        const std::string& label) {
  services::ServerConfig config;
  services::ChatConfig chat;
  chat.password = "demo";
  services::FederationConfig federation;
  federation.host = "127.0.0.1";
  federation.port = redis_port;
  federation.where = fmt::format("127.0.0.1:{}", redis_port);
  federation.label = label;
  chat.federation = federation;
  return std::make_unique<services::BackgroundServer>(config, [chat](reactor::EventLoop& loop) {
    return std::make_unique<services::ChatService>(loop, chat);
  });
}

}  // namespace

int chat_redis_stop(int number) {
  heading(number, "Chat room across servers (seed 004, over Redis)",
          "two servers, one room: names, messages and /who cross through Redis pub/sub");
  RedisProcess redis;
  if (const auto why = redis.start(); !why.empty()) {
    say("skipped: " + why);
    return kExitOk;
  }
  const auto url = fmt::format("redis://127.0.0.1:{}", redis.port());
  say("$ redis-server --port " + std::to_string(redis.port()) + " --save ''");
  auto alpha = chat_server(redis.port(), "alpha"), beta = chat_server(redis.port(), "beta");
  for (auto* server : {alpha.get(), beta.get()}) {
    if (auto failure = server->start()) return report(bind_failure(failure->error, failure->where));
  }
  say(fmt::format("$ soket chat server -p 0 --redis {} --server-name alpha   # port {}", url,
                  alpha->endpoints()[0].address.port()));
  say(fmt::format("$ soket chat server -p 0 --redis {} --server-name beta    # port {}", url,
                  beta->endpoints()[0].address.port()));
  auto ani = join(alpha->endpoints()[0].address.port(), "ani");
  auto budi = ani ? join(beta->endpoints()[0].address.port(), "budi") : std::nullopt;
  const bool crossed = budi && show_until(*ani, "budi joined the chat room.") &&
                       send(*ani, "Halo dari alpha!") &&
                       show_until(*budi, "ani: Halo dari alpha!") && send(*budi, "/who") &&
                       show_until(*budi, "members (2): ani@alpha budi@beta");
  if (!crossed) {
    return report(Failure{kExitFailure, "the demo's message did not cross the two servers"});
  }
  server_stopped(alpha->stop());
  server_stopped(beta->stop());
  return kExitOk;
}

}  // namespace soket::cli::demo
