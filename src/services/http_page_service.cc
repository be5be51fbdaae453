#include "services/http_page_service.h"

#include <fmt/core.h>

#include "conn/tcp_connection.h"

namespace soket::services {

void HttpPageService::on_data(conn::Connection& connection, Buffer& input) noexcept {
  constexpr std::size_t kMaxRequestHead = 64 * 1024;
  const auto text = input.readable_text();
  if (text.find("\r\n\r\n") == std::string_view::npos) {
    if (text.size() > kMaxRequestHead) {
      connection.send(
          "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\n"
          "Connection: close\r\n\r\n");
      connection.close_after_flush();
    }
    return;  // The request's head is not complete yet.
  }
  const bool head = text.substr(0, 5) == "HEAD ";
  connection.send(
      fmt::format("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                  "Content-Length: {}\r\nConnection: close\r\n\r\n{}",
                  page_.size(), head ? "" : page_));
  input.clear();
  connection.close_after_flush();
}

}  // namespace soket::services
