// The client's side of the chat protocol (see room.h): the lines it sends and what the
// replies to its login steps mean. Pure.
#pragma once

#include <string>
#include <string_view>

namespace soket::proto::chat {

enum class PasswordReply { ok, incorrect, locked, other };
enum class NameReply { ok, taken, invalid, full, other };

std::string password_line(std::string_view password);
std::string username_line(std::string_view name);
// A message as the seed's client writes it, "<name>: <text>"; the server accepts it from
// its author (and drops the prefix), so soket's client works with the seed's server too.
// Lines that are commands (exit, PING, and every "/word", known or not: the server answers
// an unknown one) go as they are; "//text" goes as a message, for the server to unescape.
std::string outgoing_line(std::string_view name, std::string_view typed);
// "exit" or /quit (any case, with or without words after it).
bool is_leave_command(std::string_view typed);

PasswordReply classify_password_reply(std::string_view line);
NameReply classify_name_reply(std::string_view line);

}  // namespace soket::proto::chat
