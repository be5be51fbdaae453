// The commands a member may type (see room.h): a line that starts with '/' is a command and
// is never relayed to the room. An unknown one is answered with an error to its sender
// alone (a mistyped "/mgs ani secret" must not reach everyone). A member who wants a line
// that starts with '/' doubles it, as IRC clients do: "//shrug" sends "/shrug".
// Pure: no state, no I/O.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace soket::proto::chat {

enum class Command {
  text,     // Not a command: `argument` is the text to relay (an escaping '/' removed).
  who,      // /who: the members, to the sender.
  msg,      // /msg <name> <text>: `argument` is "<name> <text>" (maybe empty).
  help,     // /help: the command list, to the sender.
  quit,     // /quit: leave.
  unknown,  // Any other "/word": `argument` is the word, '/' included.
};

struct MemberLine {
  Command command;
  std::string_view argument;  // A view into the line given to parse_member_line.
};

// Command words are matched without regard to case ("/WHO" is /who), as IRC does; what
// follows the word after one space is the argument (/who and /help ignore theirs).
MemberLine parse_member_line(std::string_view line);

// The lines /help answers with, one delivery each.
const std::vector<std::string>& help_lines();

// The error line for an unknown command; the word is cleaned of control characters and cut
// to kMaxEchoedCommand bytes, so the error cannot carry escapes or a flood of its own.
inline constexpr std::size_t kMaxEchoedCommand = 32;
std::string unknown_command_error(std::string_view word);

}  // namespace soket::proto::chat
