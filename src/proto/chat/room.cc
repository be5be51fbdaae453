#include "proto/chat/room.h"

#include <algorithm>
#include <cctype>

#include "proto/chat/commands.h"
#include "proto/chat/text_sanitizer.h"
#include "proto/text/ascii.h"

namespace soket::proto::chat {
namespace {

constexpr std::string_view kPassword = "PASSWORD ";
constexpr std::string_view kUsername = "USERNAME ";

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

bool is_valid_name(std::string_view name) {
  if (name.empty() || name.size() > 32) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

bool equal_in_constant_time(std::string_view secret, std::string_view guess) {
  unsigned difference = secret.size() == guess.size() ? 0u : 1u;
  for (std::size_t i = 0; i < guess.size(); ++i) {
    const char expected = secret.empty() ? '\0' : secret[i % secret.size()];
    difference |= static_cast<unsigned char>(expected ^ guess[i]);
  }
  return difference == 0 && !secret.empty();
}

Room::Room(std::string password, Limits limits)
    : password_(std::move(password)),
      limits_(limits),
      failures_(FailurePolicy{limits.max_password_failures, limits.failure_window, limits.lockout,
                              limits.max_failure_origins}) {}

void Room::reply(SessionId id, std::string line, Actions& out) {
  out.deliveries.push_back({id, std::move(line)});
}

bool Room::is_member(SessionId id) const {
  const auto it = sessions_.find(id);
  return it != sessions_.end() && it->second.state == State::member;
}

bool Room::is_authenticated(SessionId id) const {
  const auto it = sessions_.find(id);
  return it != sessions_.end() && it->second.state != State::connected;
}

std::string_view Room::name_of(SessionId id) const {
  const auto it = sessions_.find(id);
  return it == sessions_.end() ? std::string_view() : std::string_view(it->second.name);
}

void Room::open(SessionId id, std::string origin, std::string peer, Via via) {
  Session session;
  session.origin = std::move(origin);
  session.peer = std::move(peer);
  session.via = via;
  sessions_[id] = std::move(session);
}

void Room::set_token(SessionId id, std::string token) {
  if (const auto it = sessions_.find(id); it != sessions_.end())
    it->second.token = std::move(token);
}

void Room::receive(SessionId id, std::string_view line, TimePoint now, Actions& out) {
  const auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  Session& session = it->second;
  if (line.size() > limits_.max_line) return line_too_long(id, out);
  if (line == "PING") return reply(id, "PONG", out);
  if (line == "exit" || line == "/quit") {
    out.closes.push_back(id);
    return leave(id, "left", out);
  }
  switch (session.state) {
    case State::connected:
      if (starts_with(line, kPassword)) {
        return on_password(session, id, line.substr(kPassword.size()), now, out);
      }
      return reply(id, "ERROR not authenticated", out);
    case State::authenticated:
      if (starts_with(line, kUsername)) {
        return on_username(session, id, line.substr(kUsername.size()), out);
      }
      if (starts_with(line, kPassword)) return reply(id, "PASSWORD OK", out);
      return reply(id, "ERROR choose a name first: USERNAME <name>", out);
    case State::member:
      return on_member_line(session, id, line, now, out);
  }
}

void Room::line_too_long(SessionId id, Actions& out) {
  if (sessions_.contains(id)) reply(id, "ERROR line too long", out);
}

void Room::on_password(Session& session, SessionId id, std::string_view guess, TimePoint now,
                       Actions& out) {
  if (failures_.locked(session.origin, session.via, now)) {
    return reply(id, "ERROR too many attempts", out);
  }
  if (equal_in_constant_time(password_, guess)) {
    session.state = State::authenticated;
    return reply(id, "PASSWORD OK", out);
  }
  if (failures_.record(session.origin, session.via, now)) {
    out.log.push_back("too many wrong passwords from " + session.origin +
                      (session.via == Via::tcp ? ": locked out" : " over udp: udp locked out"));
  }
  reply(id, "PASSWORD INCORRECT", out);
}

void Room::on_username(Session& session, SessionId id, std::string_view name, Actions& out) {
  if (!is_valid_name(name)) return reply(id, "USERNAME INVALID", out);
  if (names_.contains(text::to_lower(name))) return reply(id, "USERNAME TAKEN", out);
  if (names_.size() >= limits_.max_users) return reply(id, "ERROR room full", out);
  session.state = State::member;
  session.name = std::string(name);
  session.tokens = limits_.messages_per_second;
  names_[text::to_lower(name)] = id;
  member_ids_.push_back(id);
  reply(id, "USERNAME OK", out);
  if (!session.token.empty()) reply(id, "TOKEN " + session.token, out);
  out.deliveries.push_back({kEveryMember, session.name + " joined the chat room."});
  out.log.push_back(session.name + " joined from " + session.peer);
}

void Room::on_member_line(Session& session, SessionId id, std::string_view line, TimePoint now,
                          Actions& out) {
  // The seed's client writes "<name>: " before all it sends, commands too; a name there that
  // is not the sender's own stays part of the text, so nobody can speak under another's name.
  const std::string own_prefix = session.name + ": ";
  if (starts_with(line, own_prefix)) line.remove_prefix(own_prefix.size());
  const MemberLine parsed = parse_member_line(line);
  if (parsed.command == Command::quit) {
    out.closes.push_back(id);
    return leave(id, "left", out);
  }
  if (parsed.command == Command::text) return on_text(session, id, parsed.argument, now, out);
  // Every command costs a token: a flood of /who or of mistakes is cut like one of text.
  if (!take_token(session, id, now, out)) return;
  switch (parsed.command) {
    case Command::who:
      return on_who(id, out);
    case Command::msg:
      return on_private(session, id, parsed.argument, out);
    case Command::help:
      for (const auto& help : help_lines()) reply(id, help, out);
      return;
    case Command::unknown:  // Never relayed: "/mgs ani secret" was meant for one member.
      return reply(id, unknown_command_error(parsed.argument), out);
    case Command::text:
    case Command::quit:
      return;
  }
}

void Room::on_text(Session& session, SessionId id, std::string_view line, TimePoint now,
                   Actions& out) {
  const std::string text = sanitize(line);
  if (text.empty() || !take_token(session, id, now, out)) return;
  std::string message = session.name + ": " + text;
  out.log.push_back(message);
  out.deliveries.push_back({kEveryMember, std::move(message)});
}

void Room::on_private(Session& session, SessionId id, std::string_view rest, Actions& out) {
  const auto space = rest.find(' ');
  if (space == std::string_view::npos || space == 0) {
    return reply(id, "ERROR usage: /msg <name> <text>", out);
  }
  const std::string_view name = rest.substr(0, space);
  const std::string text = sanitize(rest.substr(space + 1));
  const auto target = names_.find(text::to_lower(name));
  // The name is echoed back cleaned: an error line must not carry escapes either.
  if (target == names_.end()) return reply(id, "ERROR no such member: " + sanitize(name), out);
  if (text.empty()) return;
  reply(target->second, "[private] " + session.name + ": " + text, out);
  out.log.push_back(session.name + " -> " + sessions_[target->second].name + " (private)");
}

void Room::on_who(SessionId id, Actions& out) const {
  std::vector<std::string> names;
  for (const auto member : member_ids_) names.push_back(sessions_.at(member).name);
  std::sort(names.begin(), names.end());
  std::string line = "members (" + std::to_string(names.size()) + "):";
  for (const auto& name : names) line += " " + name;
  reply(id, std::move(line), out);
}

bool Room::take_token(Session& session, SessionId id, TimePoint now, Actions& out) {
  if (limits_.messages_per_second <= 0) return true;  // No limit (benchmarks).
  const double rate = limits_.messages_per_second;
  const double elapsed = std::chrono::duration<double>(now - session.refilled).count();
  session.tokens = std::min(rate, session.tokens + elapsed * rate);
  session.refilled = now;
  if (session.tokens >= 1) {
    session.tokens -= 1;
    return true;
  }
  // Say it once a second at most: the warning must not become a flood of its own.
  if (now - session.last_slow_down >= std::chrono::seconds(1)) {
    session.last_slow_down = now;
    reply(id, "ERROR slow down", out);
  }
  return false;
}

void Room::close(SessionId id, std::string_view why, Actions& out) {
  leave(id, why, out);
}

void Room::leave(SessionId id, std::string_view why, Actions& out) {
  const auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  if (it->second.state == State::member) {
    const std::string name = it->second.name;
    names_.erase(text::to_lower(name));
    std::erase(member_ids_, id);
    out.deliveries.push_back({kEveryMember, name + " left the chat room."});
    out.log.push_back(name + " " + std::string(why));
  }
  sessions_.erase(it);
}

}  // namespace soket::proto::chat
