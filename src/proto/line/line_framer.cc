#include "proto/line/line_framer.h"

namespace soket::proto::line {

LineFramer::Event LineFramer::next(std::string_view data) {
  if (skipping_) {
    const auto end = data.find('\n');
    if (end == std::string_view::npos) return {Kind::need_more, {}, data.size()};
    skipping_ = false;
    // The skipped tail is consumed; the caller calls again for what follows.
    Event event = next(data.substr(end + 1));
    event.consumed += end + 1;
    return event;
  }
  // Look no further than a longest legal line (plus CR and LF) could reach: the cost of a
  // call stays bounded however much a peer sends without a line end.
  const std::size_t window = std::min(data.size(), max_line_ + 2);
  const auto end = data.substr(0, window).find('\n');
  if (end == std::string_view::npos) {
    if (data.size() <= max_line_ + 1) return {Kind::need_more, {}, 0};
    // Too long already. Skip to its LF if it is here (the scan consumes what it reads, so
    // each byte is looked at once), else skip all and go on skipping in the next calls.
    const auto rest = data.find('\n', window);
    if (rest != std::string_view::npos) return {Kind::too_long, {}, rest + 1};
    skipping_ = true;
    return {Kind::too_long, {}, data.size()};
  }
  std::string_view line = data.substr(0, end);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.size() > max_line_) return {Kind::too_long, {}, end + 1};
  return {Kind::line, line, end + 1};
}

}  // namespace soket::proto::line
