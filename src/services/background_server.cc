#include "services/background_server.h"

namespace soket::services {

BackgroundServer::BackgroundServer(ServerConfig config, ServiceFactory factory)
    : server_(std::move(config), std::move(factory)) {}

BackgroundServer::~BackgroundServer() {
  stop();
}

std::optional<OpenFailure> BackgroundServer::start() {
  if (auto failure = server_.open()) return failure;
  thread_ = std::thread([this] {
    reactor::EventLoop loop;
    stats_ = server_.run(loop);
  });
  return std::nullopt;
}

ServerStats BackgroundServer::stop() {
  if (thread_.joinable()) {
    server_.shutdown();
    thread_.join();
  }
  return stats_;
}

}  // namespace soket::services
