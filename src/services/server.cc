#include "services/server.h"

#include "conn/acceptor.h"
#include "conn/engine.h"
#include "core/log.h"
#include "net/socket_ops.h"
#include "reactor/loop_pool.h"

namespace soket::services {

std::string describe(const Endpoint& endpoint) {
  return endpoint.address.to_string() +
         (endpoint.transport == net::Transport::tcp ? " (tcp)" : " (udp)");
}

// Everything the server keeps on one loop. Created, used and destroyed on that loop's thread.
class Server::LoopState {
 public:
  LoopState(Server& server, reactor::EventLoop& loop, std::size_t index)
      : server_(server), loop_(loop), service_(server.factory_(loop)), index_(index) {
    const auto& config = server.config_;
    const conn::ConnectionSettings settings{config.output_limit, config.idle_timeout,
                                            config.handshake_timeout};
    auto on_released = [this](const conn::Connection& c) { on_released_connection(c); };
    auto pool =
        conn::make_connection_pool(server.engine_.engine, loop, *service_, settings, on_released);
    if (!pool) {
      log::warn("loop {}: io_uring unavailable ({}): serving with epoll", index,
                pool.error().message());
      pool =
          conn::make_connection_pool(conn::Engine::epoll, loop, *service_, settings, on_released);
    }
    pool_ = std::move(pool).value();
  }

  void start() {
    const bool per_loop = server_.config_.socket_options.reuse_port;
    const bool shared = !per_loop && server_.loops_.size() > 1;
    for (auto& listening : server_.listening_) {
      const int fd = listening.fds[per_loop ? index_ : 0].get();
      Result<void> started;
      if (listening.endpoint.transport == net::Transport::tcp) {
        acceptors_.push_back(std::make_unique<conn::Acceptor>(
            loop_, fd, shared,
            [this](net::Fd c, const net::Address& peer) { on_accept(std::move(c), peer); }));
        started = acceptors_.back()->start();
      } else {
        auto endpoint = pool_->add_datagrams(fd, shared, *service_);
        if (endpoint) endpoints_.push_back(*endpoint);
        started = endpoint ? Result<void>{} : Result<void>{endpoint.error()};
      }
      if (!started) {
        log::warn("loop {} cannot watch {}: {}", index_, describe(listening.endpoint),
                  started.error().message());
      }
    }
  }

  // Stops taking new work, then flushes and closes every connection.
  void drain(conn::ConnectionPool::OnEmpty done) {
    for (auto& acceptor : acceptors_) acceptor->stop();
    for (auto& endpoint : endpoints_) endpoint->stop();
    pool_->close_all(std::move(done));
  }

  void add_stats_to(Server& server) const {
    std::uint64_t bytes_in = pool_->bytes_in(), bytes_out = pool_->bytes_out();
    for (const auto& endpoint : endpoints_) {
      server.datagrams_in_ += endpoint->datagrams_in();
      server.datagrams_out_ += endpoint->datagrams_out();
      bytes_in += endpoint->bytes_in();
      bytes_out += endpoint->bytes_out();
    }
    server.bytes_in_ += bytes_in;
    server.bytes_out_ += bytes_out;
  }

 private:
  void on_accept(net::Fd fd, const net::Address& peer) {
    // Counted before it is checked, in one step: two loops accepting at once cannot both
    // take the last slot.
    const auto limit = server_.config_.max_connections;
    if (limit != 0 && server_.open_connections_.fetch_add(1) >= limit) {
      --server_.open_connections_;
      log::info("{} refused: {} connections open (--max-conns)", peer.to_string(), limit);
      return;  // Closing the fd tells the client at once.
    }
    if (limit == 0) ++server_.open_connections_;
    if (auto r = net::apply_connection_options(fd.get(), server_.config_.socket_options, true);
        !r) {
      log::warn("{}: cannot set socket options: {}", peer.to_string(), r.error().message());
    }
    ++server_.connections_;
    log::info("{} connected", peer.to_string());
    if (pool_->add(std::move(fd), peer) == nullptr) --server_.open_connections_;
  }

  void on_released_connection(const conn::Connection& connection) {
    --server_.open_connections_;
    log::info("{} closed: {} bytes in, {} bytes out", connection.peer().to_string(),
              connection.bytes_in(), connection.bytes_out());
  }

  Server& server_;
  reactor::EventLoop& loop_;
  std::unique_ptr<LoopService> service_;
  std::size_t index_;
  // After service_, so destroyed before it: closing connections tell the service.
  std::unique_ptr<conn::ConnectionPool> pool_;
  std::vector<std::unique_ptr<conn::Acceptor>> acceptors_;
  std::vector<conn::DatagramEndpoint*> endpoints_;  // The pool's.
};

Server::Server(ServerConfig config, ServiceFactory factory)
    : config_(std::move(config)), factory_(std::move(factory)) {
  if (config_.threads < 1) config_.threads = 1;
}

Server::~Server() = default;

std::optional<OpenFailure> Server::open() {
  engine_ = conn::choose_engine(config_.engine);
  const auto transport = config_.tcp ? net::Transport::tcp : net::Transport::udp;
  auto addresses = net::resolve_bind(config_.host, config_.port, transport);
  if (!addresses) return OpenFailure{addresses.error(), config_.host};
  // With port 0 the first socket picks the port and the others must get the same one; if
  // another program holds it for the other transport, start again with a new port.
  constexpr int kAttempts = 8;
  for (int attempt = 1;; ++attempt) {
    auto failure = open_on_port(*addresses);
    if (!failure) return std::nullopt;
    listening_.clear();
    endpoints_.clear();
    if (config_.port != 0 || failure->error != std::errc::address_in_use || attempt == kAttempts) {
      return failure;
    }
  }
}

std::optional<OpenFailure> Server::open_on_port(const std::vector<net::Address>& addresses) {
  std::uint16_t port = config_.port;
  const int per_endpoint = config_.socket_options.reuse_port ? config_.threads : 1;
  std::vector<net::Transport> transports;
  if (config_.tcp) transports.push_back(net::Transport::tcp);
  if (config_.udp) transports.push_back(net::Transport::udp);
  for (auto address : addresses) {
    for (const auto transport : transports) {
      address.set_port(port);
      Listening listening{{address, transport}, {}};
      for (int i = 0; i < per_endpoint; ++i) {
        auto fd = transport == net::Transport::tcp
                      ? net::open_listener(address, config_.socket_options, config_.backlog)
                      : net::open_bound_datagram(address, config_.socket_options);
        if (!fd) return OpenFailure{fd.error(), describe(listening.endpoint)};
        if (port == 0) {
          auto local = net::local_address(fd->get());
          if (!local) return OpenFailure{local.error(), describe(listening.endpoint)};
          port = local->port();
          address.set_port(port);
          listening.endpoint.address = address;
        }
        listening.fds.push_back(std::move(fd).value());
      }
      endpoints_.push_back(listening.endpoint);
      listening_.push_back(std::move(listening));
    }
  }
  return std::nullopt;
}

std::string Server::engine_line() const {
  // The datagrams run on the same engine as the connections (each loop's pool serves both).
  const std::string engine(conn::name(engine_.engine));
  const std::string refusal = engine_.refusal.empty() ? "" : " (" + engine_.refusal + ")";
  std::string line = "serving";
  if (config_.tcp) line += " TCP connections with " + engine + refusal;
  if (config_.tcp && config_.udp) line += " and";
  if (config_.udp) line += " UDP datagrams with " + engine + (config_.tcp ? "" : refusal);
  return line;
}

ServerStats Server::run(reactor::EventLoop& base) {
  reactor::LoopPool pool(base, config_.threads);
  pool.start();
  loops_ = pool.loops();
  states_.resize(loops_.size());
  base_.store(&base);
  for (std::size_t i = 0; i < loops_.size(); ++i) loops_[i]->post([this, i] { start_loop(i); });
  if (shutdown_requested_.load()) base.post([this] { begin_shutdown(); });
  base.run();
  pool.join();  // Every loop has added its counts once its thread is gone.
  return ServerStats{connections_.load(), datagrams_in_.load(), datagrams_out_.load(),
                     bytes_in_.load(), bytes_out_.load()};
}

void Server::shutdown() {
  shutdown_requested_.store(true);
  if (auto* base = base_.load()) base->post([this] { begin_shutdown(); });
}

void Server::start_loop(std::size_t index) {
  states_[index] = std::make_unique<LoopState>(*this, *loops_[index], index);
  states_[index]->start();
}

void Server::begin_shutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  grace_timer_ = base_.load()->run_after(config_.shutdown_grace, [this] {
    log::warn("connections still open after the grace period: closing them");
    finish();
  });
  for (std::size_t i = 0; i < loops_.size(); ++i) {
    loops_[i]->post([this, i] {
      states_[i]->drain([this] { base_.load()->post([this] { on_loop_drained(); }); });
    });
  }
}

void Server::on_loop_drained() {
  if (++drained_loops_ == loops_.size()) finish();
}

void Server::finish() {
  if (finished_) return;
  finished_ = true;
  base_.load()->cancel(grace_timer_);
  for (std::size_t i = 0; i < loops_.size(); ++i) {
    auto* loop = loops_[i];
    // Deferred, so that closes already deferred in that loop run before its state goes.
    loop->post([this, i, loop] {
      loop->defer([this, i, loop] {
        states_[i]->add_stats_to(*this);
        states_[i].reset();
        loop->stop();
      });
    });
  }
}

}  // namespace soket::services
