#include "cli/line_editor.h"

#include <histedit.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <clocale>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>

// Debian 12's libedit (3.1-20221030) keeps the wide copies el_set(EL_ADDFN) makes of each
// function's name and help past el_end(): 232 bytes for our two key functions, once per
// process. Not ours to free; LeakSanitizer is told so here, so that a sanitized build still
// fails on any leak of soket's own. The leak's stack ends in libc's wcsdup (the fast unwinder
// stops there), which soket itself never calls. (Compiled only into sanitized builds.)
#if defined(__SANITIZE_ADDRESS__)
#define SOKET_LEAK_CHECKED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SOKET_LEAK_CHECKED 1
#endif
#endif
#ifdef SOKET_LEAK_CHECKED
extern "C" const char* __lsan_default_suppressions() {
  return "leak:wcsdup\n";
}
#endif

namespace soket::cli {
namespace {

void write_out(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

// Columns a UTF-8 text takes, counting one per character (wide characters are rare in a
// chat line, and a miss only misplaces the redraw by a row).
std::size_t columns_of(std::string_view text) {
  std::size_t n = 0;
  for (const char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// The terminal's mode before the editor, for a signal to restore. libedit's own EL_SIGNAL
// would do it too, but then passes the signal on with kill(0, ...), to the whole process
// group: a script that started soket would be hit by the SIGTERM meant for soket.
termios terminal_to_restore;
volatile std::sig_atomic_t have_terminal_to_restore = 0;
volatile std::sig_atomic_t resized = 0;

void restore_and_die(int signal_number) {
  if (have_terminal_to_restore != 0) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &terminal_to_restore);
  }
  ::signal(signal_number, SIG_DFL);
  ::raise(signal_number);
}

void note_resize(int /*signal_number*/) {
  resized = 1;
}

LineEditor* editor_of(EditLine* el) {
  void* data = nullptr;
  el_get(el, EL_CLIENTDATA, &data);
  return static_cast<LineEditor*>(data);
}

}  // namespace

bool LineEditor::usable() {
  const char* term = std::getenv("TERM");
  return ::isatty(STDIN_FILENO) != 0 && ::isatty(STDOUT_FILENO) != 0 && term != nullptr &&
         *term != '\0' && std::strcmp(term, "dumb") != 0;
}

LineEditor::LineEditor(std::string prompt) : prompt_(std::move(prompt)) {
  // libedit decodes multibyte keys by the locale's LC_CTYPE; the C locale would take each
  // byte of a UTF-8 letter for a character of its own.
  std::setlocale(LC_CTYPE, "");
  if (::tcgetattr(STDIN_FILENO, &terminal_to_restore) == 0) {
    have_terminal_to_restore = 1;
    for (const int signal_number : {SIGTERM, SIGHUP, SIGQUIT}) {
      ::signal(signal_number, restore_and_die);
    }
  }
  ::signal(SIGWINCH, note_resize);
  history_ = history_init();
  HistEvent event;
  history(history_, &event, H_SETSIZE, kHistorySize);
  history(history_, &event, H_SETUNIQUE, 1);  // A line sent twice in a row is kept once.
  el_ = el_init("soket", stdin, stdout, stderr);
  el_set(el_, EL_CLIENTDATA, this);
  el_set(el_, EL_PROMPT, &LineEditor::prompt_of);
  el_set(el_, EL_EDITOR, "emacs");
  el_set(el_, EL_HIST, history, history_);
  // Ctrl-C comes as a key, not SIGINT: it ends the chat the way "exit" does (the room is told).
  el_set(el_, EL_SETTY, "-d", "-isig", nullptr);
  bind_keys();
  el_source(el_, nullptr);
  el_set(el_, EL_UNBUFFERED, 1);  // Raw mode from here on; prints the prompt.
}

LineEditor::~LineEditor() {
  clear_input_area();
  el_end(el_);  // Gives the terminal back its own mode.
  history_end(history_);
  have_terminal_to_restore = 0;
  ::signal(SIGWINCH, SIG_DFL);
}

void LineEditor::bind_keys() {
  el_set(el_, EL_ADDFN, "soket-accept", "Send the line", &LineEditor::on_accept);
  el_set(el_, EL_ADDFN, "soket-interrupt", "Leave the chat", &LineEditor::on_interrupt);
  struct Binding {
    const char* key;
    const char* function;
  };
  // bash's habits where libedit's emacs map differs (its ^W cuts a region, its ^U kills the
  // whole line), and the keys whose sequences terminals disagree on.
  static constexpr Binding kBindings[] = {
      {"^M", "soket-accept"},
      {"^J", "soket-accept"},
      {"^C", "soket-interrupt"},
      {"^W", "ed-delete-prev-word"},
      {"^U", "vi-kill-line-prev"},
      {"^K", "ed-kill-line"},
      {"\\e[A", "ed-prev-history"},
      {"\\eOA", "ed-prev-history"},
      {"\\e[B", "ed-next-history"},
      {"\\eOB", "ed-next-history"},
      {"\\e[C", "ed-next-char"},
      {"\\eOC", "ed-next-char"},
      {"\\e[D", "ed-prev-char"},
      {"\\eOD", "ed-prev-char"},
      {"\\e[H", "ed-move-to-beg"},
      {"\\eOH", "ed-move-to-beg"},
      {"\\e[1~", "ed-move-to-beg"},
      {"\\e[7~", "ed-move-to-beg"},
      {"\\e[F", "ed-move-to-end"},
      {"\\eOF", "ed-move-to-end"},
      {"\\e[4~", "ed-move-to-end"},
      {"\\e[8~", "ed-move-to-end"},
      {"\\e[3~", "ed-delete-next-char"},
      {"\\e[1;5C", "em-next-word"},
      {"\\e[1;5D", "ed-prev-word"},
  };
  for (const auto& binding : kBindings) {
    el_set(el_, EL_BIND, binding.key, binding.function, nullptr);
  }
}

char* LineEditor::prompt_of(EditLine* el) {
  return editor_of(el)->prompt_.data();
}

// Enter: the line is taken whole, its rows are wiped (the room echoes it back as
// "<name>: <text>"), and CC_FATAL has libedit reset its line, its place in the history and
// its idea of the screen, and draw a fresh prompt where the cursor now is.
unsigned char LineEditor::on_accept(EditLine* el, int /*key*/) {
  LineEditor* self = editor_of(el);
  const LineInfo* info = el_line(el);
  self->accepted_ = std::string(info->buffer, info->lastchar);
  self->clear_input_area();
  return CC_FATAL;
}

unsigned char LineEditor::on_interrupt(EditLine* el, int /*key*/) {
  editor_of(el)->interrupted_ = true;
  return CC_EOF;
}

// Moves to the first row of the prompt and wipes to the end of the screen. The cursor's row
// comes from the prompt's and the text's widths, as libedit wraps them.
void LineEditor::clear_input_area() {
  const LineInfo* info = el_line(el_);
  int width = 0;
  if (el_get(el_, EL_GETTC, "co", &width, nullptr) != 0 || width <= 0) width = 80;
  const std::size_t before_cursor =
      columns_of(prompt_) + columns_of(std::string_view(info->buffer, info->cursor));
  const std::size_t row = before_cursor / static_cast<std::size_t>(width);
  std::string out;
  if (row > 0) out = "\x1b[" + std::to_string(row) + "A";
  out += "\r\x1b[J";
  write_out(out);
}

void LineEditor::follow_resize() {
  if (resized == 0) return;
  resized = 0;
  el_resize(el_);
}

LineEditor::Event LineEditor::read(std::string& line) {
  follow_resize();
  int count = 0;
  errno = 0;
  const char* buffer = el_gets(el_, &count);
  const int error = errno;
  if (accepted_) {
    line = std::move(*accepted_);
    accepted_.reset();
    if (!line.empty()) {
      HistEvent event;
      history(history_, &event, H_ENTER, line.c_str());
    }
    return Event::line;
  }
  if (interrupted_) return Event::end;
  // libedit marks Ctrl-D on an empty line by a lone ^D. In unbuffered mode an empty line
  // also gives -1; only with errno set is it the terminal failing.
  if (count == 1 && buffer != nullptr && buffer[0] == '\x04') return Event::end;
  if (count < 0 && error != 0 && error != EINTR && error != EAGAIN) return Event::end;
  return Event::none;
}

void LineEditor::print_above(std::string_view text) {
  follow_resize();
  clear_input_area();
  std::string out(text);
  out.append("\r\n");
  write_out(out);
  el_set(el_, EL_REFRESH);  // Draws the prompt and the line from the cursor's row down.
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
