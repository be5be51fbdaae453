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
    case State::claiming:
      return reply(id, "ERROR wait: your name is being claimed", out);
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
  const std::string lower = text::to_lower(name);
  if (name_in_use(lower)) return reply(id, "USERNAME TAKEN", out);
  if (names_.size() + claiming_.size() >= limits_.max_users) {
    return reply(id, "ERROR room full", out);
  }
  session.name = std::string(name);
  if (!federated()) return admit(session, id, {}, out);
  // Room-wide, the name is only ours once Redis says so (the transport asks).
  session.state = State::claiming;
  claiming_[lower] = id;
  out.claims.push_back({id, session.name});
}

bool Room::name_in_use(const std::string& lower) const {
  return names_.contains(lower) || claiming_.contains(lower) || remote_.contains(lower);
}

void Room::admit(Session& session, SessionId id, const std::vector<Event>& history, Actions& out) {
  session.state = State::member;
  session.tokens = limits_.messages_per_second;
  names_[text::to_lower(session.name)] = id;
  member_ids_.push_back(id);
  reply(id, "USERNAME OK", out);
  if (!session.token.empty()) reply(id, "TOKEN " + session.token, out);
  for (const auto& event : history) {
    const std::string text = sanitize(event.text);
    if (!text.empty()) reply(id, "[history] " + event.name + ": " + text, out);
  }
  out.deliveries.push_back({kEveryMember, session.name + " joined the chat room."});
  out.log.push_back(session.name + " joined from " + session.peer);
  if (federated()) out.publish.push_back(make_event(EventKind::join, session.name));
}

void Room::claim_answered(SessionId id, const std::string& name, ClaimAnswer answer,
                          const std::vector<Event>& history, Actions& out) {
  const auto it = sessions_.find(id);
  const bool waiting =
      it != sessions_.end() && it->second.state == State::claiming && it->second.name == name;
  if (!waiting) {  // It left while Redis answered: a name granted is given back.
    if (answer == ClaimAnswer::granted) out.released.push_back(name);
    return;
  }
  Session& session = it->second;
  claiming_.erase(text::to_lower(name));
  session.state = State::authenticated;
  switch (answer) {
    case ClaimAnswer::granted:
      // A remote member remembered under this name left without our hearing it: Redis knows.
      remote_.erase(text::to_lower(name));
      return admit(session, id, history, out);
    case ClaimAnswer::taken:
      session.name.clear();
      return reply(id, "USERNAME TAKEN", out);
    case ClaimAnswer::unavailable:
      session.name.clear();
      return reply(id, "ERROR names cannot be checked while the room is split; try again soon",
                   out);
  }
}

void Room::name_lost(SessionId id, Actions& out) {
  const auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second.state != State::member) return;
  reply(id,
        "ERROR your name " + it->second.name +
            " is held by another server now; join again with another name",
        out);
  out.closes.push_back(id);
  leave(id, "lost its name to another server", out, /*release=*/false);
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
  if (federated()) {
    out.publish.push_back(make_event(EventKind::text, session.name, text));
  }
}

void Room::on_private(Session& session, SessionId id, std::string_view rest, Actions& out) {
  const auto space = rest.find(' ');
  if (space == std::string_view::npos || space == 0) {
    return reply(id, "ERROR usage: /msg <name> <text>", out);
  }
  const std::string_view name = rest.substr(0, space);
  const std::string text = sanitize(rest.substr(space + 1));
  const auto target = names_.find(text::to_lower(name));
  if (target == names_.end()) {
    if (const auto remote = remote_.find(text::to_lower(name)); remote != remote_.end()) {
      if (text.empty()) return;
      out.publish.push_back(
          make_event(EventKind::private_text, session.name, text, remote->second.name));
      out.log.push_back(session.name + " -> " + remote->second.name + "@" + remote->second.label +
                        " (private)");
      return;
    }
    // The name is echoed back cleaned: an error line must not carry escapes either.
    return reply(id, "ERROR no such member: " + sanitize(name), out);
  }
  if (text.empty()) return;
  reply(target->second, "[private] " + session.name + ": " + text, out);
  out.log.push_back(session.name + " -> " + sessions_[target->second].name + " (private)");
}

void Room::on_who(SessionId id, Actions& out) const {
  std::vector<std::string> names;
  // Federated, each member is named with its server: "ani@alpha:5000".
  const std::string here = federated() ? "@" + label_ : "";
  for (const auto member : member_ids_) names.push_back(sessions_.at(member).name + here);
  for (const auto& [lower, remote] : remote_) names.push_back(remote.name + "@" + remote.label);
  std::sort(names.begin(), names.end());
  std::string line = "members (" + std::to_string(names.size()) + "):";
  std::size_t listed = 0;
  for (const auto& name : names) {
    if (line.size() + 1 + name.size() > kMaxWhoBytes) break;
    line += " " + name;
    ++listed;
  }
  if (listed < names.size()) line += " and " + std::to_string(names.size() - listed) + " more";
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

void Room::leave(SessionId id, std::string_view why, Actions& out, bool release) {
  const auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  if (it->second.state == State::claiming) claiming_.erase(text::to_lower(it->second.name));
  if (it->second.state == State::member) {
    const std::string name = it->second.name;
    names_.erase(text::to_lower(name));
    std::erase(member_ids_, id);
    out.deliveries.push_back({kEveryMember, name + " left the chat room."});
    out.log.push_back(name + " " + std::string(why));
    if (federated()) {
      out.publish.push_back(make_event(EventKind::leave, name));
      if (release) out.released.push_back(name);
    }
  }
  sessions_.erase(it);
}

void Room::federate(std::string label) {
  label_ = std::move(label);
}

std::vector<std::string> Room::member_names() const {
  std::vector<std::string> names;
  names.reserve(member_ids_.size());
  for (const auto id : member_ids_) names.push_back(sessions_.at(id).name);
  return names;
}

SessionId Room::member_named(std::string_view name) const {
  const auto it = names_.find(text::to_lower(name));
  return it == names_.end() ? 0 : it->second;
}

void Room::remote_join(const std::string& server, const std::string& label, const std::string& name,
                       bool quietly, Actions& out) {
  const std::string lower = text::to_lower(name);
  if (names_.contains(lower)) {  // Ours in Redis as far as we know; renewing will tell.
    out.log.push_back("server " + label + " says " + name + " is its member; ignored");
    return;
  }
  if (const auto it = remote_.find(lower); it != remote_.end()) {
    it->second.server = server;
    it->second.label = label;
    return;
  }
  if (remote_.size() >= kMaxRemoteMembers) {
    out.log.push_back("the room has " + std::to_string(kMaxRemoteMembers) +
                      " members of other servers; " + name + "@" + label + " not listed");
    return;
  }
  remote_[lower] = Remote{name, server, label};
  if (!quietly) out.deliveries.push_back({kEveryMember, name + " joined the chat room."});
}

void Room::forget_remote(std::map<std::string, Remote>::iterator it, bool announce, Actions& out) {
  if (announce) {
    out.deliveries.push_back({kEveryMember, it->second.name + " left the chat room."});
  }
  remote_.erase(it);
}

void Room::remote_leave(const std::string& server, const std::string& name, Actions& out) {
  const auto it = remote_.find(text::to_lower(name));
  if (it != remote_.end() && it->second.server == server) forget_remote(it, true, out);
}

void Room::remote_text(const std::string& name, const std::string& text, Actions& out) {
  if (names_.contains(text::to_lower(name))) {
    out.log.push_back("a text from another server under local member " + name + "'s name; dropped");
    return;
  }
  const std::string clean = sanitize(text);
  if (!clean.empty()) out.deliveries.push_back({kEveryMember, name + ": " + clean});
}

void Room::remote_private(const std::string& from, const std::string& to, const std::string& text,
                          Actions& out) {
  const auto target = names_.find(text::to_lower(to));
  if (target == names_.end()) return;  // Another server's member, or gone.
  const std::string clean = sanitize(text);
  if (!clean.empty()) reply(target->second, "[private] " + from + ": " + clean, out);
}

void Room::remote_roster(const std::string& server, const std::string& label,
                         const std::vector<std::string>& names, bool quietly, Actions& out) {
  std::map<std::string, const std::string*> listed;
  for (const auto& name : names) listed[text::to_lower(name)] = &name;
  for (auto it = remote_.begin(); it != remote_.end();) {
    const auto next = std::next(it);
    if (it->second.server == server && !listed.contains(it->first)) forget_remote(it, true, out);
    it = next;
  }
  for (const auto& [lower, name] : listed) remote_join(server, label, *name, quietly, out);
}

void Room::remote_event(const Event& event, Actions& out) {
  switch (event.kind) {
    case EventKind::hello:
      return;
    case EventKind::roster:
      return remote_roster(event.server, event.label, event.members, /*quietly=*/true, out);
    case EventKind::join:
      return remote_join(event.server, event.label, event.name, /*quietly=*/false, out);
    case EventKind::leave:
      return remote_leave(event.server, event.name, out);
    case EventKind::text:
      return remote_text(event.name, event.text, out);
    case EventKind::private_text:
      return remote_private(event.name, event.to, event.text, out);
    case EventKind::bye:
      return remote_server_gone(event.server, out);
  }
}

void Room::remote_server_gone(const std::string& server, Actions& out) {
  for (auto it = remote_.begin(); it != remote_.end();) {
    const auto next = std::next(it);
    if (it->second.server == server) forget_remote(it, true, out);
    it = next;
  }
}

void Room::set_split(bool split, Actions& out) {
  if (split == split_) return;
  split_ = split;
  if (split) {
    remote_.clear();
    out.deliveries.push_back(
        {kEveryMember,
         "the room is split: members on other servers are out of reach, and what you send now "
         "reaches only this server's members"});
  } else {
    out.deliveries.push_back({kEveryMember, "the room is whole again"});
  }
}

}  // namespace soket::proto::chat
