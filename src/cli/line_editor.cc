#include "cli/line_editor.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace soket::cli {
namespace {

termios* terminal_to_restore = nullptr;

void write_out(std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(STDOUT_FILENO, text.data(), text.size());
    if (n <= 0) return;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

// A signal must not leave the user's terminal without echo.
void restore_and_die(int signal_number) {
  if (terminal_to_restore != nullptr) ::tcsetattr(STDIN_FILENO, TCSANOW, terminal_to_restore);
  ::signal(signal_number, SIG_DFL);
  ::raise(signal_number);
}

}  // namespace

LineEditor::LineEditor(std::string prompt) : prompt_(std::move(prompt)) {
  termios current;
  if (::tcgetattr(STDIN_FILENO, &current) == 0) {
    saved_ = current;
    terminal_to_restore = &*saved_;
    ::signal(SIGTERM, restore_and_die);
    ::signal(SIGHUP, restore_and_die);
    current.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO | ISIG);
    current.c_cc[VMIN] = 1;
    current.c_cc[VTIME] = 0;
    ::tcsetattr(STDIN_FILENO, TCSANOW, &current);
  }
  redraw();
}

LineEditor::~LineEditor() {
  write_out("\r\x1b[2K");
  if (saved_) ::tcsetattr(STDIN_FILENO, TCSANOW, &*saved_);
  terminal_to_restore = nullptr;
}

void LineEditor::redraw() {
  write_out("\r\x1b[2K" + prompt_ + typed_);
}

void LineEditor::print_above(std::string_view text) {
  std::string out = "\r\x1b[2K";
  out.append(text);
  out.append("\r\n");
  write_out(out);
  redraw();
}

LineEditor::Event LineEditor::feed(char byte, std::string& line) {
  const auto c = static_cast<unsigned char>(byte);
  if (escape_state_ == 1) {  // After ESC: '[' or 'O' starts a sequence; anything else ends it.
    escape_state_ = (c == '[' || c == 'O') ? 2 : 0;
    return Event::none;
  }
  if (escape_state_ == 2) {  // Parameters until the final byte.
    if (c >= 0x40 && c <= 0x7E) escape_state_ = 0;
    return Event::none;
  }
  switch (c) {
    case '\r':
    case '\n':
      line = std::move(typed_);
      typed_.clear();
      write_out("\r\x1b[2K");
      redraw();
      return Event::line;
    case 0x03:  // Ctrl-C
      return Event::end;
    case 0x04:  // Ctrl-D: end of input, as in a shell, when the line is empty.
      return typed_.empty() ? Event::end : Event::none;
    case 0x15:  // Ctrl-U
      typed_.clear();
      redraw();
      return Event::none;
    case 0x7F:
    case 0x08:  // Backspace: the whole UTF-8 character, continuation bytes and all.
      while (!typed_.empty() && (static_cast<unsigned char>(typed_.back()) & 0xC0) == 0x80) {
        typed_.pop_back();
      }
      if (!typed_.empty()) typed_.pop_back();
      redraw();
      return Event::none;
    case 0x1B:
      escape_state_ = 1;
      return Event::none;
    default:
      if (c < 0x20) return Event::none;
      typed_.push_back(byte);
      write_out(std::string_view(&byte, 1));
      return Event::none;
  }
}

std::optional<std::string> read_secret(std::string_view prompt) {
  if (::isatty(STDIN_FILENO) == 0) return std::nullopt;
  termios saved;
  ::tcgetattr(STDIN_FILENO, &saved);
  termios quiet = saved;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  write_out(prompt);
  std::string secret;
  const bool got = static_cast<bool>(std::getline(std::cin, secret));
  ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
  write_out("\n");
  if (!got) return std::nullopt;
  return secret;
}

std::optional<std::string> read_answer(std::string_view prompt) {
  write_out(prompt);
  std::string answer;
  if (!std::getline(std::cin, answer)) return std::nullopt;
  return answer;
}

}  // namespace soket::cli
