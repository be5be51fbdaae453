// LineEditor: the chat client's input line on a terminal, on libedit (the BSD editline
// library) in its unbuffered mode, so that the client goes on reading the socket while a
// line is being typed: each call to read() takes one key from the terminal and returns.
// Emacs keys as in bash: left/right, Home/End, Ctrl-A/E, Ctrl-K (to the end), Ctrl-U (to the
// start), Ctrl-W (the word before), Backspace/Delete; Up/Down walk the history, which is kept
// in memory only (never written to a file) and holds the last kHistorySize lines. Lines
// arriving meanwhile are printed above the input line, which is then drawn again as it was,
// cursor and all. ~/.editrc (or $EDITRC) is read after soket's own bindings, as every
// libedit program does, so a user's `bind -v` gives vi keys.
// Ctrl-C, and Ctrl-D on an empty line, end. The terminal is restored when the editor goes,
// and on SIGTERM/SIGHUP/SIGQUIT too (the terminal's own Ctrl-C/Ctrl-Z signals are off while
// it edits, as in the editor before). Not thread-safe; one per process.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

struct editline;
struct history;

namespace soket::cli {

class LineEditor {
 public:
  enum class Event { none, line, end };
  static constexpr int kHistorySize = 500;

  // Whether the editor can run: stdin and stdout are terminals and TERM is not "dumb".
  // Otherwise the client reads plain lines and writes no escape codes.
  static bool usable();

  explicit LineEditor(std::string prompt);
  ~LineEditor();
  LineEditor(const LineEditor&) = delete;
  LineEditor& operator=(const LineEditor&) = delete;

  // Stdin is readable: takes one key (a whole escape sequence for arrows and the like). On
  // Event::line, `line` holds what was typed, without the Enter; it is in the history.
  Event read(std::string& line);
  // Prints `text` on its own line above the input line, then redraws the input line.
  void print_above(std::string_view text);

 private:
  static unsigned char on_accept(editline* el, int key);
  static unsigned char on_interrupt(editline* el, int key);
  static char* prompt_of(editline* el);
  void clear_input_area();
  void follow_resize();  // A SIGWINCH came: libedit learns the new width.
  void bind_keys();

  std::string prompt_;
  editline* el_ = nullptr;
  history* history_ = nullptr;
  std::optional<std::string> accepted_;  // Set by on_accept, taken by read().
  bool interrupted_ = false;
};

// Reads a secret from the terminal without echo; nullopt at EOF or with no terminal.
std::optional<std::string> read_secret(std::string_view prompt);
// Reads a line from the terminal (with echo); nullopt at EOF.
std::optional<std::string> read_answer(std::string_view prompt);

}  // namespace soket::cli
