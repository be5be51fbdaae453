// ByteRelay: nc's job. Bytes from an input fd (stdin) go to a socket and bytes from the socket
// go to an output fd (stdout), binary-safe, with poll(2) on the three fds.
//
// Memory is bounded: one 64 KiB chunk each way, and a side is read only when there is room
// for what it sends, so a peer that never reads stops us reading stdin (nothing is lost,
// duplicated or spun on: we sleep in poll until the peer reads). The input side outlives one
// connection, so `soket listen -k` hands what one client left unsent to the next.
//
// Stream sockets: when the input ends and all of it is sent, the socket's write side is shut
// down (nc -N), and reading goes on until the peer closes; the session ends once everything
// the peer sent is written out. Datagram sockets: each input line (up to and including its
// LF, or 65,507 bytes without one) is one datagram, and each datagram received is written out
// as it is.
// Not thread-safe; one relay serves one connection at a time.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <system_error>
#include <vector>

#include "core/clock.h"
#include "net/address.h"

namespace soket::clients {

enum class RelayEnding {
  peer_closed,    // The peer closed (stream) and all it sent was written out.
  idle,           // Nothing moved for the idle time (nc -w), or for the linger after input.
  output_closed,  // Nobody reads the output any more (EPIPE on stdout): nothing to do.
  failed,         // `error` says what; `on_socket` says whether the socket or a local fd.
};

struct RelayOutcome {
  RelayEnding ending = RelayEnding::peer_closed;
  std::error_code error;
  bool on_socket = true;
  std::size_t bytes_sent = 0;
  std::size_t bytes_received = 0;
};

// When a stream session ends after the peer's EOF.
enum class StreamEnd {
  // Once the input has ended too (and all of it was sent), as nc's client does: the peer
  // half-closed and may still read. A send that fails after the peer's EOF ends the session
  // quietly: the peer had said goodbye.
  both_done,
  // At once, after sending what was already read from the input (nc -l; and a client on a
  // terminal, where a user would otherwise type into a connection the server has left).
  peer_done,
};

struct DatagramRelayOptions {
  // The socket is connect(2)ed to its peer (soket connect --udp).
  bool connected = true;
  // Unconnected (soket listen --udp): connect to the first sender and hear no other (nc -lu);
  // otherwise every sender is heard and input goes to the latest one.
  bool lock_to_first_peer = true;
  // After the input ends, stop once nothing has come for this long; nullopt: go on.
  std::optional<Duration> linger_after_input;
  // ECONNREFUSED (an ICMP port unreachable) ends the relay; a server ignores it instead.
  bool refused_is_error = true;
  // Called with each new sender (unconnected sockets only).
  std::function<void(const net::Address&)> on_peer;
};

class ByteRelay {
 public:
  static constexpr std::size_t kChunk = 64 * 1024;
  static constexpr std::size_t kMaxDatagram = 65507;

  // `idle`: end a session after that long without a byte moving either way (nc -w).
  ByteRelay(int input_fd, int output_fd, std::optional<Duration> idle);

  RelayOutcome run_stream(int socket, StreamEnd end);
  RelayOutcome run_datagrams(int socket, const DatagramRelayOptions& options);
  bool input_ended() const { return !input_open_; }

 private:
  struct Chunk {
    std::vector<std::byte> bytes;
    std::size_t begin = 0, end = 0;
    bool empty() const { return begin == end; }
    std::size_t size() const { return end - begin; }
    void consume(std::size_t count);
    // Moves what is held to the front, so that the room behind it is as large as can be.
    void compact();
  };
  enum class Step { go_on, stop };

  TimePoint deadline(TimePoint last_activity) const;
  Step read_input(RelayOutcome& outcome, bool whole_chunk);
  Step write_output(std::span<const std::byte> bytes, RelayOutcome& outcome);
  Step read_socket(int socket, std::span<std::byte> buffer, bool& peer_open, RelayOutcome& outcome);
  Step write_socket(int socket, bool peer_open, RelayOutcome& outcome);
  std::optional<std::size_t> next_datagram_size() const;
  struct DatagramState {
    bool connected = true;
    std::optional<net::Address> peer;
    std::vector<std::byte> datagram;
  };
  Step send_datagrams(int socket, const std::optional<net::Address>& peer, bool connected,
                      bool refused_is_error, RelayOutcome& outcome);
  Step receive_datagram(int socket, DatagramState& state, const DatagramRelayOptions& options,
                        RelayOutcome& outcome);

  int input_fd_;
  int output_fd_;
  std::optional<Duration> idle_;
  bool input_open_ = true;
  Chunk to_socket_;
};

}  // namespace soket::clients
