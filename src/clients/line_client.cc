#include "clients/line_client.h"

#include <vector>

#include <poll.h>

#include "net/deadline_io.h"
#include "net/socket_ops.h"

namespace soket::clients {

LineClient::LineClient(net::Fd fd, net::Address peer, const ClientTarget& target,
                       std::size_t max_reply)
    : fd_(std::move(fd)), peer_(peer), target_(target), max_reply_(max_reply) {}

Result<LineClient> LineClient::connect(const ClientTarget& config, std::size_t max_reply) {
  auto connected =
      net::connect_host(config.host, config.port, config.transport, Clock::now() + config.timeout);
  if (!connected) return connected.error();
  return LineClient(std::move(connected->fd), connected->peer, config, max_reply);
}

Result<std::string> LineClient::request(std::string_view line) {
  const TimePoint deadline = Clock::now() + target_.timeout;
  if (target_.transport == net::Transport::udp) {
    if (auto sent = net::send_datagram(fd_.get(), as_bytes(line), deadline); !sent) {
      return sent.error();
    }
    std::vector<std::byte> datagram(65536);
    auto got = net::read_some(fd_.get(), datagram, deadline);
    if (!got) return got.error();
    std::string reply(as_text(std::span(datagram).first(*got)));
    if (!reply.empty() && reply.back() == '\n') reply.pop_back();
    return reply;
  }
  std::string request(line);
  request.push_back('\n');
  if (auto sent = net::write_all(fd_.get(), as_bytes(request), deadline); !sent) {
    return sent.error();
  }
  return read_line(deadline);
}

Result<std::string> LineClient::read_line(TimePoint deadline) {
  for (;;) {
    const auto text = pending_.readable_text();
    if (const auto end = text.find('\n'); end != std::string_view::npos) {
      std::string reply(text.substr(0, end));
      pending_.consume(end + 1);
      if (!reply.empty() && reply.back() == '\r') reply.pop_back();
      return reply;
    }
    if (pending_.size() > max_reply_) {
      return std::make_error_code(std::errc::message_size);
    }
    if (auto ready = net::wait_ready(fd_.get(), POLLIN, deadline); !ready) return ready.error();
    auto got = pending_.read_from_fd(fd_.get(), 64 * 1024);
    if (!got && !net::is_would_block(got.error())) return got.error();
    if (got && *got == 0) return std::make_error_code(std::errc::connection_aborted);
  }
}

}  // namespace soket::clients
