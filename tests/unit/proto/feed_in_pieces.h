// Feeds a stream to a sans-I/O reader in pieces cut at given offsets, as a connection would.
// After each piece the reader is called on what is buffered until it asks for more: `step`
// gets an exact-size heap copy (so that ASan catches a read past the end), returns how many
// bytes it consumed, and whether to go on reading (Step::more_input to wait for the next
// piece, Step::stop to end the feeding, e.g. after an error).
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace soket::test {

struct Step {
  enum Next { again, more_input, stop };
  std::size_t consumed = 0;
  Next next = again;
};

template <typename StepFn>
void feed_in_pieces(std::string_view stream, std::vector<std::size_t> cuts, StepFn step) {
  std::string buffered;
  std::size_t fed = 0;
  cuts.push_back(stream.size());
  for (const std::size_t cut : cuts) {
    buffered.append(stream.substr(fed, cut - fed));
    fed = cut;
    for (;;) {
      const auto copy = std::make_unique<char[]>(buffered.size());
      std::copy(buffered.begin(), buffered.end(), copy.get());
      const Step taken = step(std::string_view(copy.get(), buffered.size()));
      if (taken.next == Step::stop) return;
      buffered.erase(0, taken.consumed);
      if (taken.next == Step::more_input) break;
    }
  }
}

}  // namespace soket::test
