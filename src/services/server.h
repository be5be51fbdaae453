// Server: runs one service on N event loops, over TCP, UDP or both, and shuts it down cleanly.
//
// Without --reuseport every loop watches the same listening socket (EPOLLEXCLUSIVE wakes one
// loop per connection). With it each loop has a SO_REUSEPORT socket of its own and the kernel
// spreads connections by hash; the catch is that any process of the same user may then bind
// the port too, so a second server would not fail with "address already in use".
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "conn/connection.h"
#include "conn/datagram_endpoint.h"
#include "conn/engine.h"
#include "core/clock.h"
#include "net/fd.h"
#include "net/resolver.h"
#include "net/socket_options.h"
#include "reactor/event_loop.h"

namespace soket::services {

struct ServerConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  bool tcp = true;
  bool udp = false;
  int threads = 1;
  int backlog = 511;
  std::size_t max_connections = 0;  // Zero: no limit.
  Duration idle_timeout{0};         // Zero: never.
  // A connection that has not finished its handshake by then is dropped (zero: never). The
  // service says when a handshake is done; by default, at the connection's first byte.
  Duration handshake_timeout = std::chrono::seconds(10);
  std::size_t output_limit = 4 * 1024 * 1024;
  Duration shutdown_grace = std::chrono::seconds(5);
  // The engine of the TCP connections (conn/engine.h); automatic: io_uring where allowed.
  conn::EngineRequest engine = conn::EngineRequest::automatic;
  net::SocketOptions socket_options;
};

// A service's handlers for one loop: created on, and used only by, that loop's thread.
class LoopService : public conn::ConnectionEvents, public conn::DatagramEvents {
 public:
  virtual ~LoopService() = default;
  void on_datagram(conn::DatagramEndpoint&, std::span<const std::byte>,
                   const net::Address&) noexcept override {}
};
using ServiceFactory = std::function<std::unique_ptr<LoopService>(reactor::EventLoop& loop)>;

struct Endpoint {
  net::Address address;
  net::Transport transport;
};
// "127.0.0.1:8080 (tcp)", "[::1]:8080 (udp)": the form of the `listening on` line.
std::string describe(const Endpoint& endpoint);

struct OpenFailure {
  std::error_code error;
  std::string where;  // The endpoint, or the host that did not resolve.
};

struct ServerStats {
  std::uint64_t connections = 0;
  std::uint64_t datagrams_in = 0;
  std::uint64_t datagrams_out = 0;
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
};

class Server {
 public:
  Server(ServerConfig config, ServiceFactory factory);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds every socket. With port 0, all of them share the one ephemeral port.
  std::optional<OpenFailure> open();
  const std::vector<Endpoint>& endpoints() const { return endpoints_; }
  // The engine its TCP connections and UDP datagrams run on, decided by open().
  const conn::EngineChoice& engine() const { return engine_; }
  // "serving TCP connections with io_uring": the server's first line on stderr.
  std::string engine_line() const;

  // Serves on `base` (run by the caller) and threads-1 more loops until shutdown() has
  // flushed and closed everything, or the grace period ran out. Call after open().
  ServerStats run(reactor::EventLoop& base);
  // Thread-safe; idempotent. May be called before run() reaches its loop.
  void shutdown();

 private:
  struct Listening {
    Endpoint endpoint;
    std::vector<net::Fd> fds;  // One, or one per loop with --reuseport.
  };
  class LoopState;

  std::optional<OpenFailure> open_on_port(const std::vector<net::Address>& addresses);
  void start_loop(std::size_t index);
  void begin_shutdown();
  void on_loop_drained();
  void finish();
  void add_stats(const LoopState& state);

  ServerConfig config_;
  ServiceFactory factory_;
  std::vector<Listening> listening_;
  std::vector<Endpoint> endpoints_;
  conn::EngineChoice engine_;
  std::vector<reactor::EventLoop*> loops_;
  std::vector<std::unique_ptr<LoopState>> states_;  // states_[i] is touched by loop i only.
  std::atomic<reactor::EventLoop*> base_{nullptr};
  std::atomic<bool> shutdown_requested_{false};
  bool shutting_down_ = false;  // Base loop only, as are the next three.
  bool finished_ = false;
  std::size_t drained_loops_ = 0;
  reactor::TimerId grace_timer_;
  std::atomic<std::size_t> open_connections_{0};
  std::atomic<std::uint64_t> connections_{0}, datagrams_in_{0}, datagrams_out_{0};
  std::atomic<std::uint64_t> bytes_in_{0}, bytes_out_{0};
};

}  // namespace soket::services
