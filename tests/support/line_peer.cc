#include "support/line_peer.h"

#include <gtest/gtest.h>

#include "net/deadline_io.h"

namespace soket::test {

using Clock = soket::Clock;

LinePeer::LinePeer(int port, net::Transport transport) : transport_(transport) {
  auto address = net::Address::parse("127.0.0.1", static_cast<std::uint16_t>(port)).value();
  auto connected = net::connect_any({address}, transport, Clock::now() + std::chrono::seconds(5));
  EXPECT_TRUE(connected.ok());
  if (connected) fd_ = std::move(connected->fd);
}

void LinePeer::send_raw(std::string_view bytes) {
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  const bool sent = transport_ == net::Transport::udp
                        ? net::send_datagram(fd_.get(), soket::as_bytes(bytes), deadline).ok()
                        : net::write_all(fd_.get(), soket::as_bytes(bytes), deadline).ok();
  EXPECT_TRUE(sent);
}

void LinePeer::send(const std::string& line) {
  send_raw(transport_ == net::Transport::udp ? line : line + "\n");
}

std::string LinePeer::next(std::chrono::milliseconds wait) {
  const auto deadline = Clock::now() + wait;
  for (;;) {
    if (auto end = pending_.find('\n'); end != std::string::npos) {
      std::string line = pending_.substr(0, end);
      pending_.erase(0, end + 1);
      return line;
    }
    char chunk[65536];
    auto got = net::read_some(fd_.get(), std::as_writable_bytes(std::span(chunk)), deadline);
    if (!got) return got.error() == std::errc::timed_out ? "<timeout>" : "<closed>";
    if (*got == 0) return "<closed>";
    pending_.append(chunk, *got);
    // A datagram is a line whether or not it ends in LF (chat replies carry none).
    if (transport_ == net::Transport::udp && pending_.back() != '\n') pending_.push_back('\n');
  }
}

bool LinePeer::expect(const std::string& wanted, std::chrono::milliseconds wait) {
  const auto deadline = Clock::now() + wait;
  while (Clock::now() < deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    const auto line = next(left);
    if (line == wanted) return true;
    if (line == "<timeout>" || line == "<closed>") return false;
  }
  return false;
}

}  // namespace soket::test
