#include "proto/chat/client_lines.h"

#include "proto/chat/commands.h"

namespace soket::proto::chat {

std::string password_line(std::string_view password) {
  return "PASSWORD " + std::string(password);
}

std::string username_line(std::string_view name) {
  return "USERNAME " + std::string(name);
}

bool is_leave_command(std::string_view typed) {
  return typed == "exit" || parse_member_line(typed).command == Command::quit;
}

std::string outgoing_line(std::string_view name, std::string_view typed) {
  if (typed == "exit" || typed == "PING" || parse_member_line(typed).command != Command::text) {
    return std::string(typed);
  }
  return std::string(name) + ": " + std::string(typed);
}

PasswordReply classify_password_reply(std::string_view line) {
  if (line == "PASSWORD OK") return PasswordReply::ok;
  if (line == "PASSWORD INCORRECT") return PasswordReply::incorrect;
  if (line == "ERROR too many attempts") return PasswordReply::locked;
  return PasswordReply::other;
}

NameReply classify_name_reply(std::string_view line) {
  if (line == "USERNAME OK") return NameReply::ok;
  if (line == "USERNAME TAKEN") return NameReply::taken;
  if (line == "USERNAME INVALID") return NameReply::invalid;
  if (line == "ERROR room full") return NameReply::full;
  return NameReply::other;
}

}  // namespace soket::proto::chat
