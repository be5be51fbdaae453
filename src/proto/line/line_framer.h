// LineFramer: splits a byte stream into lines ending in LF (a CR before the LF is dropped),
// with a limit on a line's length. Sans-I/O: it looks at bytes the caller buffers and says how
// many it used; it resumes across any split of the stream and never allocates.
//
// A line longer than the limit is reported once as `too_long` and the rest of it, up to and
// including its LF, is skipped, so the stream stays usable after it.
#pragma once

#include <cstddef>
#include <string_view>

namespace soket::proto::line {

class LineFramer {
 public:
  enum class Kind { need_more, line, too_long };
  struct Event {
    Kind kind = Kind::need_more;
    std::string_view line;     // For Kind::line: a view into the caller's bytes, without CR/LF.
    std::size_t consumed = 0;  // Bytes the caller may drop before the next call.
  };

  // `max_line` is in bytes, without the line end.
  explicit LineFramer(std::size_t max_line) : max_line_(max_line) {}

  // `data` is every byte buffered and not yet consumed. Call again while the event is not
  // need_more (and after dropping `consumed` bytes).
  Event next(std::string_view data);
  std::size_t max_line() const { return max_line_; }
  // True while skipping the rest of a line reported as too long.
  bool skipping() const { return skipping_; }

 private:
  std::size_t max_line_;
  bool skipping_ = false;  // Inside a line already reported as too long.
};

}  // namespace soket::proto::line
