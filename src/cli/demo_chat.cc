// The demo's chat stop (seed 004): one room, a TCP member and a UDP member.
#include <fmt/core.h>

#include <memory>

#include "cli/demo_chat_member.h"
#include "cli/demo_tour.h"
#include "cli/failure.h"
#include "clients/chat_connection.h"
#include "proto/chat/client_lines.h"
#include "services/background_server.h"
#include "services/chat_service.h"

namespace soket::cli::demo {
namespace {

// Sends a line and prints it with what comes back, as `name` sees it.
Result<std::string> send_and_show(ChatMember& member, const std::string& line) {
  say(fmt::format("{} -> {}", member.name, line));
  if (auto sent = member.connection.send_line(line, Clock::now() + kChatWait); !sent) {
    return sent.error();
  }
  auto reply = member.connection.wait_line(Clock::now() + kChatWait);
  if (reply) say(fmt::format("{} <- {}", member.name, *reply));
  return reply;
}

Result<ChatMember> join(const services::Endpoint& endpoint, const std::string& name) {
  auto connection = clients::ChatConnection::connect("127.0.0.1", endpoint.address.port(),
                                                     endpoint.transport, kChatWait);
  if (!connection) return connection.error();
  ChatMember member{name, std::move(connection).value()};
  for (const auto& line : {proto::chat::password_line("demo"), proto::chat::username_line(name)}) {
    if (auto reply = send_and_show(member, line); !reply) return reply.error();
  }
  // Over UDP the server then sends the member's token, which its later datagrams carry.
  if (endpoint.transport == net::Transport::udp &&
      member.connection.await_token(Clock::now() + kChatWait)) {
    say(fmt::format("{} <- TOKEN <128 random bits: proves {}'s datagrams are {}'s>", name, name,
                    name));
  }
  return member;
}

int show_next(ChatMember& member) {
  auto line = member.connection.wait_line(Clock::now() + kChatWait);
  if (!line) return report(client_failure(line.error(), member.name, kChatWait));
  say(fmt::format("{} <- {}", member.name, *line));
  return kExitOk;
}

}  // namespace

int chat_stop(int number) {
  heading(number, "Chat room (seed 004)",
          "password, then a unique name; one room for TCP and UDP members");
  services::ServerConfig config;
  config.tcp = config.udp = true;
  services::ChatConfig chat;
  chat.password = "demo";
  services::BackgroundServer server(config, [chat](reactor::EventLoop& loop) {
    return std::make_unique<services::ChatService>(loop, chat);
  });
  if (auto failure = server.start()) return report(bind_failure(failure->error, failure->where));
  say("$ SOKET_CHAT_PASSWORD=demo soket chat server -p 0");
  for (const auto& e : server.endpoints()) say("listening on " + services::describe(e));
  const auto& tcp = server.endpoints()[0];
  const auto& udp = server.endpoints()[1];
  auto ani = join(tcp, "ani");
  if (!ani) return report(client_failure(ani.error(), services::describe(tcp), kChatWait));
  if (int code = show_next(*ani); code != kExitOk) return code;  // Her own join.
  auto budi = join(udp, "budi");
  if (!budi) return report(client_failure(budi.error(), services::describe(udp), kChatWait));
  if (int code = show_next(*budi); code != kExitOk) return code;
  if (int code = show_next(*ani); code != kExitOk) return code;  // Budi joined.
  if (!send_and_show(*ani, proto::chat::outgoing_line("ani", "Halo, Budi!"))) return kExitFailure;
  if (int code = show_next(*budi); code != kExitOk) return code;
  if (!send_and_show(*budi, "ani: pretending to be Ani")) return kExitFailure;
  if (int code = show_next(*ani); code != kExitOk) return code;
  say("ani -> exit");
  (void)ani->connection.send_line("exit", Clock::now() + kChatWait);
  if (int code = show_next(*budi); code != kExitOk) return code;
  server_stopped(server.stop());
  return kExitOk;
}

}  // namespace soket::cli::demo
