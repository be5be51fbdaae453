// AsyncLineWriter: lines to a file descriptor (a server's stdout) without ever blocking the
// caller. An event loop that logs with a blocking write(2) freezes when nobody reads its
// stdout; here push() only appends to a bounded queue, and a writer thread of its own does
// the blocking writes (muduo's AsyncLogging shape). When the queue is full the line is
// dropped and counted; once the reader has caught up, the writer says how many went:
// "[N log lines dropped: the output was not read]".
//
// push() is thread-safe. The destructor gives the writer up to `drain_wait` to write what
// is queued; a writer still blocked then (nobody reads) is left to the process's exit.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/mutex.h"

namespace soket {

class AsyncLineWriter {
 public:
  AsyncLineWriter(int fd, std::size_t max_queued_bytes,
                  Duration drain_wait = std::chrono::seconds(2));
  ~AsyncLineWriter();
  AsyncLineWriter(const AsyncLineWriter&) = delete;
  AsyncLineWriter& operator=(const AsyncLineWriter&) = delete;

  // Queues `line` (an LF is added), or drops it when the queue is full.
  void push(std::string_view line);
  std::uint64_t dropped() const;

 private:
  struct State;
  static void run(std::shared_ptr<State> state);

  std::shared_ptr<State> state_;  // Shared with the writer thread, which may outlive us.
  Duration drain_wait_;
};

}  // namespace soket
