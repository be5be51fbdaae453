#include "cli/chat_client_run.h"

#include <fmt/core.h>
#include <poll.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "cli/commands.h"
#include "cli/failure.h"
#include "cli/line_editor.h"
#include "cli/server_flags.h"
#include "clients/chat_connection.h"
#include "proto/chat/client_lines.h"
#include "proto/chat/text_sanitizer.h"

namespace soket::cli {
namespace {

using proto::chat::NameReply;
using proto::chat::PasswordReply;
constexpr int kPasswordTries = 3;
constexpr int kNameTries = 5;
constexpr auto kPingEvery = std::chrono::seconds(20);
// A server without tokens (seed 004's) sends none: wait no longer than this for it.
constexpr auto kTokenWait = std::chrono::seconds(2);
// Scripted use: after stdin ends, how long to keep printing what still arrives (over TCP
// the server's close ends it sooner).
constexpr auto kUdpLinger = std::chrono::milliseconds(500);
constexpr auto kTcpLinger = std::chrono::seconds(5);

struct Session {
  clients::ChatConnection& connection;
  std::string target;
  Duration timeout;
  bool terminal;
};

Result<std::string> ask_reply(Session& s, const std::string& line) {
  const TimePoint deadline = Clock::now() + s.timeout;
  if (auto sent = s.connection.send_line(line, deadline); !sent) return sent.error();
  return s.connection.wait_line(deadline);
}

// The password: SOKET_CHAT_PASSWORD, else asked without echo (three tries).
std::optional<Failure> log_in(Session& s) {
  const char* from_environment = std::getenv("SOKET_CHAT_PASSWORD");
  for (int attempt = 1; attempt <= kPasswordTries; ++attempt) {
    std::optional<std::string> password;
    if (from_environment != nullptr && attempt == 1) {
      password = from_environment;
    } else if (s.terminal) {
      password = read_secret(attempt == 1 ? "Password: " : "Incorrect; password: ");
    }
    if (!password) {
      return usage_failure(from_environment != nullptr
                               ? "the password in SOKET_CHAT_PASSWORD is incorrect"
                               : "no password: set SOKET_CHAT_PASSWORD or run on a terminal");
    }
    auto reply = ask_reply(s, proto::chat::password_line(*password));
    if (!reply) return client_failure(reply.error(), s.target, s.timeout);
    switch (proto::chat::classify_password_reply(*reply)) {
      case PasswordReply::ok:
        return std::nullopt;
      case PasswordReply::locked:
        return Failure{kExitRejected, fmt::format("{} refuses more attempts from this address "
                                                  "for a minute (too many wrong passwords)",
                                                  s.target)};
      case PasswordReply::incorrect:
        if (!s.terminal) return Failure{kExitRejected, "the password is incorrect"};
        continue;
      case PasswordReply::other:
        return Failure{kExitNetworkError,
                       fmt::format("{} does not speak the chat protocol (it said: {})", s.target,
                                   reply->substr(0, 80))};
    }
  }
  return Failure{kExitRejected, "the password is incorrect (3 tries)"};
}

// The name: -u, else asked; asked again when taken or invalid.
Result<std::string> choose_name(Session& s, std::optional<std::string> name,
                                std::optional<Failure>& failure) {
  for (int attempt = 1; attempt <= kNameTries; ++attempt) {
    if (!name && s.terminal) name = read_answer("Name: ");
    if (!name) {
      failure = usage_failure("no name: give one with -u NAME");
      return std::make_error_code(std::errc::invalid_argument);
    }
    auto reply = ask_reply(s, proto::chat::username_line(*name));
    if (!reply) return reply.error();
    const auto verdict = proto::chat::classify_name_reply(*reply);
    if (verdict == NameReply::ok) {
      // Over UDP the server then sends the member's token (see proto/chat/udp_token.h).
      if (s.connection.transport() == net::Transport::udp) {
        s.connection.await_token(Clock::now() + std::min<Duration>(s.timeout, kTokenWait));
      }
      return *name;
    }
    if (verdict == NameReply::full) {
      failure = Failure{kExitRejected, fmt::format("the room at {} is full", s.target)};
      return std::make_error_code(std::errc::operation_canceled);
    }
    const auto why = verdict == NameReply::taken ? "is taken"
                                                 : "is not a valid name (1 to 32 "
                                                   "letters, digits, _ - .)";
    if (!s.terminal) {
      failure = Failure{kExitRejected, fmt::format("the name '{}' {}", *name, why)};
      return std::make_error_code(std::errc::operation_canceled);
    }
    std::fputs(fmt::format("'{}' {}.\n", *name, why).c_str(), stdout);
    name.reset();
  }
  failure = Failure{kExitRejected, "no acceptable name after 5 tries"};
  return std::make_error_code(std::errc::operation_canceled);
}

void print_plain(std::string_view line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

// Stdin is no terminal (or a dumb one): plain lines, LF-ended (a CR before it dropped), and
// no editing. False at the end of input.
bool read_plain_lines(std::string& typed_so_far, std::vector<std::string>& lines) {
  char chunk[4096];
  const ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
  for (ssize_t i = 0; i < n; ++i) {
    if (chunk[i] != '\n') {
      typed_so_far.push_back(chunk[i]);
      continue;
    }
    if (!typed_so_far.empty() && typed_so_far.back() == '\r') typed_so_far.pop_back();
    lines.push_back(std::move(typed_so_far));
    typed_so_far.clear();
  }
  if (n > 0) return true;
  if (!typed_so_far.empty()) lines.push_back(std::move(typed_so_far));  // No LF at the end.
  typed_so_far.clear();
  return false;
}

// The chat itself: keyboard and server multiplexed with poll(2).
int converse(Session& s, const std::string& name) {
  std::unique_ptr<LineEditor> editor;
  if (s.terminal && LineEditor::usable()) editor = std::make_unique<LineEditor>(name + "> ");
  // What a server sends is cleaned as the room cleans what it relays (soket's room already
  // has): another server could rewrite the user's terminal with escape sequences.
  auto show = [&](std::string_view line) {
    const std::string clean = proto::chat::sanitize(line);
    editor ? editor->print_above(clean) : print_plain(clean);
  };
  std::string typed_so_far;  // Non-terminal input not yet ended by LF.
  bool input_open = true;
  TimePoint next_ping = Clock::now() + kPingEvery, linger_until = TimePoint::max();
  for (;;) {
    auto incoming = s.connection.receive();
    if (!incoming) {
      if (!input_open && incoming.error() == std::errc::connection_aborted) return kExitOk;
      editor.reset();
      return report({kExitNetworkError, fmt::format("{} closed the chat", s.target)});
    }
    for (const auto& line : *incoming) show(line);
    if (!input_open && Clock::now() >= linger_until) return kExitOk;
    pollfd fds[2] = {{s.connection.fd(), POLLIN, 0}, {input_open ? STDIN_FILENO : -1, POLLIN, 0}};
    ::poll(fds, 2, 100);
    if (s.connection.transport() == net::Transport::udp && Clock::now() >= next_ping) {
      next_ping = Clock::now() + kPingEvery;  // Over UDP, silence would look like leaving.
      (void)s.connection.send_line("PING", Clock::now() + s.timeout);
    }
    if (fds[1].revents == 0) continue;
    std::vector<std::string> lines;
    bool end = false;
    if (editor && (fds[1].revents & POLLIN) == 0) {
      end = true;  // The terminal hung up: libedit would read nothing from it forever.
    } else if (editor) {
      std::string line;
      const auto event = editor->read(line);
      if (event == LineEditor::Event::line) lines.push_back(std::move(line));
      end = event == LineEditor::Event::end;
    } else {
      end = !read_plain_lines(typed_so_far, lines);
    }
    for (const auto& line : lines) {
      if (line.empty()) continue;
      (void)s.connection.send_line(proto::chat::outgoing_line(name, line),
                                   Clock::now() + s.timeout);
      if (proto::chat::is_leave_command(line)) end = true;
      if (end) break;
    }
    if (end) {
      if (lines.empty() || !proto::chat::is_leave_command(lines.back())) {
        (void)s.connection.send_line("exit", Clock::now() + s.timeout);
      }
      if (editor) return kExitOk;
      // Scripted: print what the room still sends (TCP: until the server closes).
      input_open = false;
      linger_until =
          Clock::now() + (s.connection.transport() == net::Transport::udp ? Duration(kUdpLinger)
                                                                          : Duration(kTcpLinger));
    }
  }
}

}  // namespace

int run_chat_client(const ChatClientFlags& flags) {
  std::uint16_t port = 0;
  if (auto failure = parse_port_flag(flags.port, port)) return report(*failure);
  const auto transport = flags.udp ? net::Transport::udp : net::Transport::tcp;
  const Duration timeout = from_seconds(flags.timeout);
  const auto target = describe_target(flags.host, port, transport);
  auto connection = clients::ChatConnection::connect(flags.host, port, transport, timeout);
  if (!connection) return report(client_failure(connection.error(), target, timeout));
  Session session{*connection, target, timeout, ::isatty(STDIN_FILENO) != 0};
  if (auto failure = log_in(session)) return report(*failure);
  std::optional<Failure> failure;
  auto name = choose_name(session, flags.name, failure);
  if (failure) return report(*failure);
  if (!name) return report(client_failure(name.error(), target, timeout));
  return converse(session, *name);
}

}  // namespace soket::cli
