#include "redis/loop_adapter.h"

#include <hiredis/async.h>
#include <sys/epoll.h>

#include <cstdint>
#include <memory>

#include "reactor/event_loop.h"
#include "reactor/io_handler.h"

namespace soket::redis {
namespace {

class Attachment final : public reactor::IoHandler {
 public:
  Attachment(redisAsyncContext& context, reactor::EventLoop& loop)
      : context_(&context), loop_(loop), fd_(context.c.fd) {}

  void want(std::uint32_t flag, bool on) {
    const std::uint32_t mask = on ? (mask_ | flag) : (mask_ & ~flag);
    if (mask == mask_ || context_ == nullptr) return;
    // An empty mask unwatches: epoll would still report errors on a registered fd, and
    // hiredis asked for neither direction.
    if (mask_ == 0) {
      if (!loop_.watch(fd_, mask, this).ok()) return;
    } else if (mask == 0) {
      loop_.unwatch(fd_);
    } else if (!loop_.modify(fd_, mask).ok()) {
      return;
    }
    mask_ = mask;
  }

  // hiredis freed its context: stop watching, and go once no callback of ours can be running.
  // The deferred task owns it, so a loop that never runs again (a server stopping) frees it
  // all the same, when it drops its tasks.
  void detach() {
    if (mask_ != 0) loop_.unwatch(fd_);
    mask_ = 0;
    context_ = nullptr;
    loop_.defer([owned = std::shared_ptr<Attachment>(this)] {});
  }

  void on_io(std::uint32_t events) noexcept override {
    // Reading first: an error or hang-up is found by the read, which frees the context.
    if (context_ != nullptr && (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && (mask_ & EPOLLIN)) {
      redisAsyncHandleRead(context_);
    }
    if (context_ != nullptr && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) && (mask_ & EPOLLOUT)) {
      redisAsyncHandleWrite(context_);
    }
  }

 private:
  redisAsyncContext* context_;
  reactor::EventLoop& loop_;
  int fd_;
  std::uint32_t mask_ = 0;
};

Attachment& of(void* data) {
  return *static_cast<Attachment*>(data);
}

}  // namespace

void attach(redisAsyncContext& context, reactor::EventLoop& loop) {
  auto* attachment = new Attachment(context, loop);
  context.ev.data = attachment;
  context.ev.addRead = [](void* data) { of(data).want(EPOLLIN, true); };
  context.ev.delRead = [](void* data) { of(data).want(EPOLLIN, false); };
  context.ev.addWrite = [](void* data) { of(data).want(EPOLLOUT, true); };
  context.ev.delWrite = [](void* data) { of(data).want(EPOLLOUT, false); };
  context.ev.cleanup = [](void* data) { of(data).detach(); };
}

}  // namespace soket::redis
