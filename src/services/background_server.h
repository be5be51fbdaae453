// BackgroundServer: a Server run on a thread of its own, for `soket demo` and for tests that
// want a server in-process. Destruction shuts it down and joins the thread.
#pragma once

#include <optional>
#include <thread>

#include "services/server.h"

namespace soket::services {

class BackgroundServer {
 public:
  BackgroundServer(ServerConfig config, ServiceFactory factory);
  ~BackgroundServer();
  BackgroundServer(const BackgroundServer&) = delete;
  BackgroundServer& operator=(const BackgroundServer&) = delete;

  // Binds and starts serving; the failure if it could not bind.
  std::optional<OpenFailure> start();
  const std::vector<Endpoint>& endpoints() const { return server_.endpoints(); }
  // Shuts down, waits for the thread, and returns what the server counted.
  ServerStats stop();

 private:
  Server server_;
  std::thread thread_;
  ServerStats stats_;
};

}  // namespace soket::services
