#include "clients/chat_connection.h"

#include <poll.h>

#include "net/deadline_io.h"
#include "net/socket_ops.h"
#include "proto/chat/udp_token.h"

namespace soket::clients {

Result<ChatConnection> ChatConnection::connect(std::string_view host, std::uint16_t port,
                                               net::Transport transport, Duration timeout) {
  auto connected = net::connect_host(host, port, transport, Clock::now() + timeout);
  if (!connected) return connected.error();
  return ChatConnection(std::move(connected->fd), transport);
}

Result<void> ChatConnection::send_line(std::string_view line, TimePoint deadline) {
  if (transport_ == net::Transport::udp) {
    if (token_.empty()) return net::send_datagram(fd_.get(), as_bytes(line), deadline);
    return net::send_datagram(fd_.get(), as_bytes(proto::chat::with_token(token_, line)), deadline);
  }
  std::string framed(line);
  framed.push_back('\n');
  return net::write_all(fd_.get(), as_bytes(framed), deadline);
}

Result<std::vector<std::string>> ChatConnection::receive() {
  std::vector<std::string> lines = std::move(ready_);
  ready_.clear();
  for (int reads = 0; reads < 64 && !closed_; ++reads) {
    if (transport_ == net::Transport::udp) {
      std::byte datagram[65536];
      auto got = net::try_read(fd_.get(), datagram);
      if (!got) {
        if (net::is_would_block(got.error())) break;
        return got.error();  // ECONNREFUSED: nothing listens there (ICMP port unreachable).
      }
      std::string line(as_text(std::span(datagram, *got)));
      if (!line.empty() && line.back() == '\n') line.pop_back();
      lines.push_back(std::move(line));
      continue;
    }
    auto got = pending_.read_from_fd(fd_.get(), 64 * 1024);
    if (!got) {
      if (net::is_would_block(got.error())) break;
      return got.error();
    }
    if (*got == 0) closed_ = true;
    for (;;) {
      const auto event = framer_.next(pending_.readable_text());
      if (event.kind == proto::line::LineFramer::Kind::line) lines.emplace_back(event.line);
      pending_.consume(event.consumed);
      if (event.kind == proto::line::LineFramer::Kind::need_more) break;
    }
  }
  if (lines.empty() && closed_) return std::make_error_code(std::errc::connection_aborted);
  return lines;
}

Result<std::string> ChatConnection::wait_line(TimePoint deadline) {
  for (;;) {
    auto lines = receive();
    if (!lines) return lines.error();
    if (!lines->empty()) {
      std::string first = std::move(lines->front());
      ready_.assign(std::make_move_iterator(lines->begin() + 1),
                    std::make_move_iterator(lines->end()));
      return first;
    }
    if (auto ready = net::wait_ready(fd_.get(), POLLIN, deadline); !ready) return ready.error();
  }
}

}  // namespace soket::clients

namespace soket::clients {

bool ChatConnection::await_token(TimePoint deadline) {
  std::vector<std::string> others;
  bool found = false;
  while (!found) {
    auto line = wait_line(deadline);
    if (!line) break;
    if (auto token = proto::chat::token_of_reply(*line)) {
      token_ = std::move(*token);
      found = true;
    } else {
      others.push_back(std::move(*line));
    }
  }
  // What came before the token is received first, then what wait_line read beyond it.
  others.insert(others.end(), std::make_move_iterator(ready_.begin()),
                std::make_move_iterator(ready_.end()));
  ready_ = std::move(others);
  return found;
}

}  // namespace soket::clients
