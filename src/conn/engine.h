// Engine: which implementation of the connection contract (conn/connection.h) serves a
// server's TCP connections, epoll (TcpConnection) or io_uring (UringConnection), and the one
// place that makes either. Nothing above this file names an engine's classes.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "conn/connection_pool.h"
#include "core/result.h"
#include "reactor/event_loop.h"

namespace soket::conn {

enum class Engine { epoll, io_uring };
// What a user asks for: `automatic` is io_uring where the kernel allows it, else epoll.
enum class EngineRequest { automatic, epoll, io_uring };

struct EngineChoice {
  Engine engine = Engine::epoll;
  // Why io_uring is not used although it was asked for (or allowed), else empty.
  std::string refusal;
};

std::string_view name(Engine engine);
// Resolves a request once per process, probing the kernel as the pool will use it (a ring
// and a provided buffer ring): a seccomp filter or an old kernel gives epoll, with the reason.
EngineChoice choose_engine(EngineRequest request);

// The pool for one loop on `engine`; an error when io_uring cannot be set up for this loop
// (the caller falls back to epoll and says so).
Result<std::unique_ptr<ConnectionPool>> make_connection_pool(
    Engine engine, reactor::EventLoop& loop, ConnectionEvents& events,
    const ConnectionSettings& settings, ConnectionPool::OnReleased on_released);

}  // namespace soket::conn
