// LoopPool: the calling thread's loop plus N-1 more, each run by a thread of its own.
// One loop per thread; objects of one loop are reached from others only through post().
#pragma once

#include <memory>
#include <thread>
#include <vector>

#include "reactor/event_loop.h"

namespace soket::reactor {

class LoopPool {
 public:
  // `base` is run by the caller; `count` loops in all (at least 1).
  LoopPool(EventLoop& base, int count);
  ~LoopPool();  // Stops and joins the extra threads.
  LoopPool(const LoopPool&) = delete;
  LoopPool& operator=(const LoopPool&) = delete;

  // Starts the extra threads; returns once each of their loops exists.
  void start();
  void stop_all();
  // Stops the extra loops and waits for their threads; work they had queued still runs.
  void join();
  const std::vector<EventLoop*>& loops() const { return loops_; }

 private:
  EventLoop& base_;
  int count_;
  std::vector<std::unique_ptr<EventLoop>> extra_loops_;  // Outlive their threads.
  std::vector<std::thread> threads_;
  std::vector<EventLoop*> loops_;
};

}  // namespace soket::reactor
