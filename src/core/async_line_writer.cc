#include "core/async_line_writer.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>
#include <utility>

namespace soket {

struct AsyncLineWriter::State {
  explicit State(int fd_, std::size_t limit_) : fd(fd_), limit(limit_) {}
  const int fd;
  const std::size_t limit;
  Mutex mutex;
  std::condition_variable_any wake;     // Lines queued, or stop.
  std::condition_variable_any drained;  // The queue became empty.
  std::deque<std::string> lines GUARDED_BY(mutex);
  std::size_t queued_bytes GUARDED_BY(mutex) = 0;
  std::uint64_t dropped GUARDED_BY(mutex) = 0;     // In all.
  std::uint64_t unreported GUARDED_BY(mutex) = 0;  // Not yet said.
  bool stop GUARDED_BY(mutex) = false;
  bool writing GUARDED_BY(mutex) = false;
  bool idle GUARDED_BY(mutex) = false;  // The writer waits for a line: push() must wake it.
};

namespace {

// How long the writer, once woken, gathers more lines before writing. A busy server (a chat
// room logs each message) then costs one wake-up of the writer per batch, not one per line:
// on a loaded core, a wake-up per line took a third of the server's CPU in futex calls and
// context switches. A person reading the log does not see 2 ms.
constexpr auto kGather = std::chrono::milliseconds(2);

// Blocking, whole: the writer thread may wait here as long as the reader makes it.
bool write_whole(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

AsyncLineWriter::AsyncLineWriter(int fd, std::size_t max_queued_bytes, Duration drain_wait)
    : state_(std::make_shared<State>(fd, max_queued_bytes)), drain_wait_(drain_wait) {
  std::thread(run, state_).detach();
}

AsyncLineWriter::~AsyncLineWriter() {
  MutexLock lock(state_->mutex);
  state_->stop = true;
  state_->wake.notify_one();
  const auto deadline = std::chrono::steady_clock::now() + drain_wait_;
  while ((!state_->lines.empty() || state_->writing) &&
         state_->drained.wait_until(state_->mutex, deadline) != std::cv_status::timeout) {
  }
}

void AsyncLineWriter::push(std::string_view line) {
  MutexLock lock(state_->mutex);
  if (state_->queued_bytes + line.size() + 1 > state_->limit) {
    ++state_->dropped;
    ++state_->unreported;
    return;
  }
  std::string framed(line);
  framed.push_back('\n');
  state_->queued_bytes += framed.size();
  state_->lines.push_back(std::move(framed));
  if (state_->idle) {
    state_->idle = false;
    state_->wake.notify_one();
  }
}

std::uint64_t AsyncLineWriter::dropped() const {
  MutexLock lock(state_->mutex);
  return state_->dropped;
}

// The lock is let go around the write, which the analysis cannot follow through a scope.
SOKET_TSA(no_thread_safety_analysis) void AsyncLineWriter::run(std::shared_ptr<State> state) {
  // Signals are for the threads that handle them (a server's signalfd), never this one.
  sigset_t all;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_BLOCK, &all, nullptr);
  MutexLock lock(state->mutex);
  for (;;) {
    bool woken = false;
    while (state->lines.empty() && !state->stop) {
      state->idle = true;
      woken = true;
      state->wake.wait(state->mutex);
    }
    state->idle = false;
    if (state->lines.empty()) break;  // Stopped, and everything is written.
    // Woken by a push: gather, not idle meanwhile, so pushes do not wake it again (a stop,
    // the destructor's, does). Lines already waiting after a write go at once.
    const auto gathered = std::chrono::steady_clock::now() + kGather;
    while (woken && !state->stop &&
           state->wake.wait_until(state->mutex, gathered) != std::cv_status::timeout) {
    }
    std::deque<std::string> batch;
    batch.swap(state->lines);
    state->queued_bytes = 0;
    const std::uint64_t unreported = std::exchange(state->unreported, 0);
    state->writing = true;
    state->mutex.unlock();
    std::string text;
    for (const auto& line : batch) text += line;
    // Said after the batch: the lines that were dropped came after these were queued.
    if (unreported > 0) {
      text += "[" + std::to_string(unreported) + " log lines dropped: the output was not read]\n";
    }
    const bool ok = write_whole(state->fd, text);
    state->mutex.lock();
    state->writing = false;
    if (state->lines.empty()) state->drained.notify_all();
    if (!ok) break;  // The reader is gone (EPIPE): nothing more can be written.
  }
  state->writing = false;
  state->drained.notify_all();
}

}  // namespace soket
