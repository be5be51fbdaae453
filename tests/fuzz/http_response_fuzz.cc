// Arbitrary bytes as an HTTP response. Input layout: byte 0 holds flags (bit 0: a HEAD
// request; bit 1: small limits, so that the limit paths are reached); byte 1 says how many
// piece lengths follow (0-7); each such byte gives a piece length (1-256), used in turn;
// the rest is the response.
//
// Properties checked, beyond "never a crash":
//  - the parser never claims more bytes than it was given;
//  - the body it passes on never exceeds the bytes it saw;
//  - fed in the pieces the input chooses, it gives the same events, body, end state and
//    error as fed whole (the parser resumes across any split, as its header promises).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "proto/http/response_parser.h"

namespace {

using soket::proto::http::ParserLimits;
using soket::proto::http::ResponseHandler;
using soket::proto::http::ResponseParser;

// Every event, written down; the body is kept whole, as on_body's pieces may differ.
struct Log final : ResponseHandler {
  std::string events, body;
  void on_status(int minor, int status, std::string_view reason) override {
    events += "S" + std::to_string(minor) + " " + std::to_string(status) + " ";
    events.append(reason).append("|");
  }
  void on_header(std::string_view name, std::string_view value) override {
    events.append("H").append(name).append("=").append(value).append("|");
  }
  void on_headers_done(std::int64_t length) override {
    events += "L" + std::to_string(length) + "|";
  }
  void on_body(std::string_view bytes) override { body.append(bytes); }
  void on_trailer(std::string_view name, std::string_view value) override {
    events.append("T").append(name).append("=").append(value).append("|");
  }
  void on_done() override { events += "done|"; }
};

struct Outcome {
  std::string events, body, error;
  bool done = false;
};

// Feeds `wire` in pieces of the given lengths (all of it at once when there are none),
// keeping what the parser did not use, as the client does; then the end of the stream.
Outcome parse(std::string_view wire, const std::vector<std::size_t>& pieces, bool head,
              ParserLimits limits) {
  ResponseParser parser(head, limits);
  Log log;
  Outcome outcome;
  std::string pending;
  std::size_t at = 0, turn = 0;
  while (at < wire.size() && !parser.done()) {
    const std::size_t piece = pieces.empty() ? wire.size() : pieces[turn++ % pieces.size()];
    const auto next = wire.substr(at, piece);
    at += next.size();
    pending.append(next);
    auto used = parser.feed(pending, log);
    if (!used) {
      outcome.error = used.error().message();
      break;
    }
    if (*used > pending.size()) std::abort();
    pending.erase(0, *used);
  }
  if (outcome.error.empty() && !parser.done()) {
    if (auto end = parser.finish_at_eof(log); !end) outcome.error = end.error().message();
  }
  outcome.events = std::move(log.events);
  outcome.body = std::move(log.body);
  outcome.done = parser.done();
  return outcome;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const bool head = (data[0] & 1) != 0;
  const ParserLimits limits =
      (data[0] & 2) != 0 ? ParserLimits{64, 8, 512} : ParserLimits{1024, 32, 16 * 1024};
  const std::size_t count = data[1] % 8;
  if (size < 2 + count) return 0;
  std::vector<std::size_t> pieces;
  for (std::size_t i = 0; i < count; ++i) pieces.push_back(std::size_t{data[2 + i]} + 1);
  const std::string_view wire(reinterpret_cast<const char*>(data + 2 + count), size - 2 - count);

  const Outcome whole = parse(wire, {}, head, limits);
  if (whole.body.size() > wire.size()) std::abort();
  if (pieces.empty()) return 0;
  const Outcome split = parse(wire, pieces, head, limits);
  if (split.events != whole.events || split.body != whole.body || split.error != whole.error ||
      split.done != whole.done) {
    std::abort();
  }
  return 0;
}
