// Attaches a hiredis async context to soket's EventLoop, as hiredis's own adapters do for
// libevent or libuv: hiredis says when it wants to read or write (its ev hooks), the loop
// watches the context's fd and calls hiredis back when it is ready. No thread, no polling.
#pragma once

struct redisAsyncContext;

namespace soket::reactor {
class EventLoop;
}

namespace soket::redis {

// Must be called right after the context is created, before any command. The attachment
// lives until hiredis frees the context (its cleanup hook); it is never freed while one of
// its own callbacks is on the stack.
void attach(redisAsyncContext& context, reactor::EventLoop& loop);

}  // namespace soket::redis
