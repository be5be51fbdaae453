#include "reactor/loop_pool.h"

#include <future>

namespace soket::reactor {

LoopPool::LoopPool(EventLoop& base, int count) : base_(base), count_(count < 1 ? 1 : count) {
  loops_.push_back(&base_);
}

LoopPool::~LoopPool() {
  join();
}

void LoopPool::join() {
  stop_all();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void LoopPool::start() {
  for (int i = 1; i < count_; ++i) {
    // The loop is created on its own thread so that it belongs to that thread from the start.
    // Each loop is created on its own thread, so that it belongs to that thread from the
    // start, and is owned here, so that stop_all() never reaches a loop that is gone.
    std::promise<std::unique_ptr<EventLoop>> created;
    auto future = created.get_future();
    threads_.emplace_back([&created] {
      auto loop = std::make_unique<EventLoop>();
      EventLoop* raw = loop.get();
      created.set_value(std::move(loop));
      raw->run();
    });
    extra_loops_.push_back(future.get());
    loops_.push_back(extra_loops_.back().get());
  }
}

void LoopPool::stop_all() {
  for (std::size_t i = 1; i < loops_.size(); ++i) loops_[i]->stop();
}

}  // namespace soket::reactor
