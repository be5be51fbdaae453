#include "conn/engine.h"

#include "conn/connection_table.h"
#include "conn/detail/provided_buffers.h"
#include "conn/detail/ring.h"
#include "conn/uring_connections.h"

namespace soket::conn {
namespace {

// The same two steps UringConnections takes; the buffers outlive the ring, whose teardown
// unregisters them.
Result<void> probe_io_uring() {
  detail::ProvidedBuffers buffers;
  detail::Ring ring;
  if (auto r = ring.open(8); !r) return r;
  return buffers.register_with(ring.raw());
}

}  // namespace

std::string_view name(Engine engine) {
  return engine == Engine::io_uring ? "io_uring" : "epoll";
}

EngineChoice choose_engine(EngineRequest request) {
  if (request == EngineRequest::epoll) return {Engine::epoll, {}};
  if (auto probed = probe_io_uring(); !probed) {
    return {Engine::epoll, "io_uring unavailable: " + probed.error().message()};
  }
  return {Engine::io_uring, {}};
}

Result<std::unique_ptr<ConnectionPool>> make_connection_pool(
    Engine engine, reactor::EventLoop& loop, ConnectionEvents& events,
    const ConnectionSettings& settings, ConnectionPool::OnReleased on_released) {
  if (engine == Engine::epoll) {
    return std::unique_ptr<ConnectionPool>(
        std::make_unique<ConnectionTable>(loop, events, settings, std::move(on_released)));
  }
  auto pool = UringConnections::create(loop, events, settings, std::move(on_released));
  if (!pool) return pool.error();
  return std::unique_ptr<ConnectionPool>(std::move(pool).value());
}

}  // namespace soket::conn
