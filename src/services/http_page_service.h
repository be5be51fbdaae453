// HttpPageService: a minimal HTTP/1.1 server that answers every request with one fixed page
// and closes, so that `soket demo` can fetch a page from a server it starts itself.
#pragma once

#include <string>

#include "services/server.h"

namespace soket::services {

class HttpPageService final : public LoopService {
 public:
  explicit HttpPageService(std::string page) : page_(std::move(page)) {}
  void on_data(conn::Connection& connection, Buffer& input) noexcept override;

 private:
  std::string page_;
};

}  // namespace soket::services
