#include "clients/byte_relay.h"

#include <poll.h>

#include <algorithm>
#include <cstring>

#include "net/deadline_io.h"
#include "net/socket_ops.h"

namespace soket::clients {
namespace {

bool is_refused(const std::error_code& error) {
  return error == std::errc::connection_refused;
}

RelayOutcome& fail(RelayOutcome& outcome, std::error_code error, bool on_socket) {
  outcome.ending = RelayEnding::failed;
  outcome.error = error;
  outcome.on_socket = on_socket;
  return outcome;
}

}  // namespace

void ByteRelay::Chunk::consume(std::size_t count) {
  begin += count;
  if (begin == end) begin = end = 0;
}

void ByteRelay::Chunk::compact() {
  if (begin == 0) return;
  std::memmove(bytes.data(), bytes.data() + begin, size());
  end -= begin;
  begin = 0;
}

ByteRelay::ByteRelay(int input_fd, int output_fd, std::optional<Duration> idle)
    : input_fd_(input_fd), output_fd_(output_fd), idle_(idle) {
  to_socket_.bytes.resize(kChunk);
}

TimePoint ByteRelay::deadline(TimePoint last_activity) const {
  return idle_ ? last_activity + *idle_ : TimePoint::max();
}

// Reads what the input has into the room of to_socket_: for a stream only into an empty chunk
// (a whole chunk is then sent before more is read), for datagrams behind an unfinished line.
ByteRelay::Step ByteRelay::read_input(RelayOutcome& outcome, bool whole_chunk) {
  if (!whole_chunk) to_socket_.compact();
  auto room = std::span(to_socket_.bytes).subspan(to_socket_.end);
  auto got = net::try_read_file(input_fd_, room);
  if (!got) {
    if (net::is_would_block(got.error())) return Step::go_on;
    fail(outcome, got.error(), false);
    return Step::stop;
  }
  if (*got == 0) input_open_ = false;
  to_socket_.end += *got;
  return Step::go_on;
}

// The output is written whole before anything else is read: a slow reader of our stdout
// slows the peer down through TCP's window rather than making us buffer.
ByteRelay::Step ByteRelay::write_output(std::span<const std::byte> bytes, RelayOutcome& outcome) {
  while (!bytes.empty()) {
    auto written = net::try_write_file(output_fd_, bytes);
    if (written) {
      bytes = bytes.subspan(*written);
      continue;
    }
    if (net::is_would_block(written.error())) {
      // A non-blocking stdout (inherited): wait for room, for as long as the reader takes.
      if (auto ready = net::wait_ready(output_fd_, POLLOUT, TimePoint::max()); ready) continue;
    }
    if (written.error() == std::errc::broken_pipe) {
      outcome.ending = RelayEnding::output_closed;
    } else {
      fail(outcome, written.error(), false);
    }
    return Step::stop;
  }
  return Step::go_on;
}

RelayOutcome ByteRelay::run_stream(int socket, StreamEnd end) {
  RelayOutcome outcome;
  std::vector<std::byte> from_socket(kChunk);
  bool peer_open = true;
  bool write_shut = false;
  TimePoint last_activity = Clock::now();
  for (;;) {
    if (!input_open_ && to_socket_.empty() && !write_shut) {
      // nc -N: the peer sees our end of input as EOF, and its reply can still come back.
      auto shut = net::shutdown_write(socket);
      if (!shut && peer_open) return fail(outcome, shut.error(), true);
      write_shut = true;
    }
    if (!peer_open && (write_shut || (end == StreamEnd::peer_done && to_socket_.empty()))) {
      return outcome;
    }
    const bool read_input_now =
        input_open_ && to_socket_.empty() && (peer_open || end == StreamEnd::both_done);
    const short socket_events =
        static_cast<short>((peer_open ? POLLIN : 0) | (to_socket_.empty() ? 0 : POLLOUT));
    pollfd fds[2] = {{read_input_now ? input_fd_ : -1, POLLIN, 0},
                     {socket_events != 0 ? socket : -1, socket_events, 0}};
    auto ready = net::wait_any(fds, deadline(last_activity));
    if (!ready) return fail(outcome, ready.error(), false);
    if (*ready == 0) {
      outcome.ending = RelayEnding::idle;
      return outcome;
    }
    last_activity = Clock::now();
    if (fds[0].revents != 0 && read_input(outcome, true) == Step::stop) return outcome;
    if (peer_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0 &&
        read_socket(socket, from_socket, peer_open, outcome) == Step::stop) {
      return outcome;
    }
    if ((fds[1].revents & (POLLOUT | POLLERR | POLLHUP)) != 0 && !to_socket_.empty() &&
        write_socket(socket, peer_open, outcome) == Step::stop) {
      return outcome;
    }
  }
}

// One read from the socket, written out whole; EOF clears `peer_open`.
ByteRelay::Step ByteRelay::read_socket(int socket, std::span<std::byte> buffer, bool& peer_open,
                                       RelayOutcome& outcome) {
  auto got = net::try_read(socket, buffer);
  if (!got) {
    if (net::is_would_block(got.error())) return Step::go_on;
    fail(outcome, got.error(), true);
    return Step::stop;
  }
  if (*got == 0) {
    peer_open = false;
    return Step::go_on;
  }
  outcome.bytes_received += *got;
  return write_output(buffer.first(*got), outcome);
}

// One send of what to_socket_ holds. A send that fails before the peer's EOF is a failure (a
// reset); after it, the peer will read no more, and the session ends quietly.
ByteRelay::Step ByteRelay::write_socket(int socket, bool peer_open, RelayOutcome& outcome) {
  auto pending =
      std::span<const std::byte>(to_socket_.bytes).subspan(to_socket_.begin, to_socket_.size());
  auto sent = net::try_write(socket, pending);
  if (!sent) {
    if (net::is_would_block(sent.error())) return Step::go_on;
    if (peer_open) fail(outcome, sent.error(), true);
    return Step::stop;
  }
  to_socket_.consume(*sent);
  outcome.bytes_sent += *sent;
  return Step::go_on;
}

// The size of the next datagram held in to_socket_: a line up to and including its LF, the
// most one datagram carries when no LF comes that soon, or the rest once the input ended.
std::optional<std::size_t> ByteRelay::next_datagram_size() const {
  if (to_socket_.empty()) return std::nullopt;
  const auto* first = to_socket_.bytes.data() + to_socket_.begin;
  const auto size = std::min(to_socket_.size(), kMaxDatagram);
  const auto* lf = std::find(first, first + size, std::byte{'\n'});
  if (lf != first + size) return static_cast<std::size_t>(lf - first) + 1;
  if (size == kMaxDatagram || !input_open_) return size;
  return std::nullopt;
}

ByteRelay::Step ByteRelay::send_datagrams(int socket, const std::optional<net::Address>& peer,
                                          bool connected, bool refused_is_error,
                                          RelayOutcome& outcome) {
  // Bounded: each pass sends at most the chunk held, a datagram at a time.
  while (auto size = next_datagram_size()) {
    if (!connected && !peer) return Step::go_on;  // Held until someone has written to us.
    auto payload = std::span<const std::byte>(to_socket_.bytes).subspan(to_socket_.begin, *size);
    std::error_code error;
    if (connected) {
      // A UDP send waits only for room in the socket's buffer; 5 s is past any real wait.
      auto sent = net::send_datagram(socket, payload, Clock::now() + std::chrono::seconds(5));
      if (!sent) error = sent.error();
    } else {
      auto sent = net::try_send_to(socket, payload, *peer);
      if (!sent) error = sent.error();
    }
    // A peer that went away (ICMP port unreachable) costs a server only that datagram.
    if (error && !(is_refused(error) && !refused_is_error)) {
      fail(outcome, error, true);
      return Step::stop;
    }
    to_socket_.consume(*size);
    if (!error) outcome.bytes_sent += *size;
  }
  return Step::go_on;
}

// Receives one datagram and writes it out; learns (and maybe locks onto) its sender.
ByteRelay::Step ByteRelay::receive_datagram(int socket, DatagramState& state,
                                            const DatagramRelayOptions& options,
                                            RelayOutcome& outcome) {
  std::error_code error;
  std::size_t size = 0;
  if (state.connected) {
    auto got = net::try_read(socket, state.datagram);
    if (got)
      size = *got;
    else
      error = got.error();
  } else {
    net::Address from;
    auto got = net::try_receive_from(socket, state.datagram, from);
    if (got) {
      size = *got;
      if (!state.peer || !(*state.peer == from)) {
        state.peer = from;
        if (options.on_peer) options.on_peer(from);
      }
      if (options.lock_to_first_peer) {
        if (auto locked = net::connect_datagram(socket, from); !locked) error = locked.error();
        state.connected = true;
      }
    } else {
      error = got.error();
    }
  }
  if (error) {
    if (net::is_would_block(error) || (is_refused(error) && !options.refused_is_error)) {
      return Step::go_on;
    }
    fail(outcome, error, true);
    return Step::stop;
  }
  outcome.bytes_received += size;
  return write_output(std::span<const std::byte>(state.datagram).first(size), outcome);
}

RelayOutcome ByteRelay::run_datagrams(int socket, const DatagramRelayOptions& options) {
  RelayOutcome outcome;
  DatagramState state;
  state.connected = options.connected;
  state.datagram.resize(kMaxDatagram + 1);
  TimePoint last_activity = Clock::now();
  for (;;) {
    if (send_datagrams(socket, state.peer, state.connected, options.refused_is_error, outcome) ==
        Step::stop) {
      return outcome;
    }
    const bool can_send = state.connected || state.peer.has_value();
    const bool room = to_socket_.size() < to_socket_.bytes.size();
    pollfd fds[2] = {{input_open_ && room && can_send ? input_fd_ : -1, POLLIN, 0},
                     {socket, POLLIN, 0}};
    TimePoint until = deadline(last_activity);
    if (!input_open_ && options.linger_after_input) {
      until = std::min(until, last_activity + *options.linger_after_input);
    }
    auto ready = net::wait_any(fds, until);
    if (!ready) return fail(outcome, ready.error(), false);
    if (*ready == 0) {
      outcome.ending = RelayEnding::idle;
      return outcome;
    }
    last_activity = Clock::now();
    if (fds[0].revents != 0 && read_input(outcome, false) == Step::stop) return outcome;
    if (fds[1].revents != 0 && receive_datagram(socket, state, options, outcome) == Step::stop) {
      return outcome;
    }
  }
}

}  // namespace soket::clients
