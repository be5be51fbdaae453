#include "proto/chat/commands.h"

#include "proto/chat/text_sanitizer.h"
#include "proto/text/ascii.h"

namespace soket::proto::chat {
namespace {

struct Entry {
  std::string_view word;
  Command command;
};

constexpr Entry kCommands[] = {
    {"/who", Command::who},
    {"/msg", Command::msg},
    {"/help", Command::help},
    {"/quit", Command::quit},
};

}  // namespace

MemberLine parse_member_line(std::string_view line) {
  if (line.empty() || line.front() != '/') return {Command::text, line};
  if (line.size() >= 2 && line[1] == '/') return {Command::text, line.substr(1)};
  const auto space = line.find(' ');
  const std::string_view word = line.substr(0, space);
  const std::string_view argument =
      space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
  for (const auto& entry : kCommands) {
    if (text::iequals(word, entry.word)) return {entry.command, argument};
  }
  return {Command::unknown, word};
}

const std::vector<std::string>& help_lines() {
  static const std::vector<std::string> lines = {
      "commands: /who /msg /help /quit",
      "  /who              the members of the room",
      "  /msg NAME TEXT    TEXT to NAME alone",
      "  /help             this list",
      "  /quit (or exit)   leave the room",
      "  //TEXT            sends /TEXT: a line starting with / is a command, never relayed",
  };
  return lines;
}

std::string unknown_command_error(std::string_view word) {
  std::string clean = sanitize(word.substr(0, kMaxEchoedCommand));
  return "ERROR unknown command " + clean + "; /help lists the commands, //TEXT sends /TEXT";
}

}  // namespace soket::proto::chat
