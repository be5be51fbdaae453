// LineEditor: the chat client's input line on a terminal. The terminal is put in
// non-canonical mode without echo, so that lines arriving from the server can be printed
// above the line being typed, which is then drawn again intact (what seed 004's
// clear_last_line trick attempts). The terminal is restored when the editor goes, and on
// SIGTERM/SIGHUP too. Backspace removes a whole UTF-8 character; Ctrl-U clears the line;
// Ctrl-C and Ctrl-D (on an empty line) end; arrow keys and other escapes are ignored.
#pragma once

#include <termios.h>

#include <optional>
#include <string>
#include <string_view>

namespace soket::cli {

class LineEditor {
 public:
  enum class Event { none, line, end };

  explicit LineEditor(std::string prompt);
  ~LineEditor();
  LineEditor(const LineEditor&) = delete;
  LineEditor& operator=(const LineEditor&) = delete;

  // One byte typed. On Event::line, `line` holds what was typed (without the Enter).
  Event feed(char byte, std::string& line);
  // Prints `text` on its own line above the input line, then redraws the input line.
  void print_above(std::string_view text);

 private:
  void redraw();

  std::string prompt_;
  std::string typed_;
  int escape_state_ = 0;  // Inside an escape sequence (arrow keys): its bytes are skipped.
  std::optional<termios> saved_;
};

// Reads a secret from the terminal without echo; nullopt at EOF or with no terminal.
std::optional<std::string> read_secret(std::string_view prompt);
// Reads a line from the terminal (with echo); nullopt at EOF.
std::optional<std::string> read_answer(std::string_view prompt);

}  // namespace soket::cli
