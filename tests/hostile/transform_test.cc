// The transform server against hostile and careless peers (issue 12).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>

#include "hostile/attacker.h"
#include "hostile/hostile_server.h"
#include "net/deadline_io.h"

namespace soket::test {
namespace {

net::Connected connect_to_server(int port, net::Transport transport) {
  auto address = net::Address::parse("127.0.0.1", static_cast<std::uint16_t>(port)).value();
  auto connected = net::connect_any({address}, transport, Clock::now() + 5s);
  EXPECT_TRUE(connected.ok());
  return std::move(connected).value();
}

// Everything until the server closes (or 10 s pass).
std::string read_to_end(int fd) {
  std::string got;
  std::byte chunk[65536];
  for (int i = 0; i < 10000; ++i) {
    auto n = net::read_some(fd, chunk, Clock::now() + 10s);
    if (!n || *n == 0) break;
    got.append(reinterpret_cast<const char*>(chunk), *n);
  }
  return got;
}

void stop(StartedServer& server) {
  server.process->send_signal(SIGTERM);
  EXPECT_EQ(server.process->wait_exit(30s), 0) << server.process->err();
}

// A last line without LF that is one byte over the limit, then the client's FIN: it must get
// the ERROR line (a line of exactly the limit still gets its reply).
TEST(HostileTransform, LastOverlongLineWithoutLfGetsAnError) {
  auto server = start_soket_server({"transform", "server", "--tcp", "-p", "0", "-q"});
  for (const std::size_t size : {std::size_t{65537}, std::size_t{65536}}) {
    auto client = connect_to_server(server.port, net::Transport::tcp);
    const std::string line(size, 'a');
    ASSERT_TRUE(net::write_all(client.fd.get(), as_bytes(line), Clock::now() + 10s).ok());
    ASSERT_EQ(::shutdown(client.fd.get(), SHUT_WR), 0);
    const std::string got = read_to_end(client.fd.get());
    if (size > 65536) {
      EXPECT_EQ(got, "ERROR line too long (max 65536 bytes)\n");
    } else {
      EXPECT_EQ(got.rfind(std::string(size, 'A') + " | 65536 karakter | ", 0), 0u)
          << got.substr(0, 80);
    }
  }
  stop(server);
}

// A UDP message whose reply would pass 65,507 bytes (the most a datagram can carry) gets an
// ERROR datagram instead of silence; one whose reply fits gets the reply.
TEST(HostileTransform, UdpReplyTooLongGetsAnErrorDatagram) {
  auto server = start_soket_server({"transform", "server", "--udp", "-p", "0", "-q"});
  auto client = connect_to_server(server.port, net::Transport::udp);
  std::vector<std::byte> reply(65536);
  // 65,460 letters: the reply adds " | 65460 karakter | <19-char time> | Data telah
  // diproses\n" (62 bytes), 65,522 in all.
  ASSERT_TRUE(
      net::send_datagram(client.fd.get(), as_bytes(std::string(65460, 'a')), Clock::now() + 5s)
          .ok());
  auto got = net::read_some(client.fd.get(), reply, Clock::now() + 10s);
  ASSERT_TRUE(got.ok()) << "no datagram came back: " << got.error().message();
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(reply.data()), *got),
            "ERROR reply too long (max 65507 bytes)\n");
  // 65,000 letters: a 65,062-byte reply, which fits.
  ASSERT_TRUE(
      net::send_datagram(client.fd.get(), as_bytes(std::string(65000, 'a')), Clock::now() + 5s)
          .ok());
  got = net::read_some(client.fd.get(), reply, Clock::now() + 10s);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, 65062u);
  stop(server);
}

// Peers that send the shortest lines and never read their (~30x longer) replies: memory
// stays bounded by --max-output per peer plus one batch of replies, and others are answered.
// A server that ignored the limit would queue 80 MiB of replies per peer; one that framed a
// whole read's lines regardless would queue up to 9 MiB more per peer than this bound allows.
TEST(HostileTransform, PeersThatNeverReadCostBoundedMemory) {
  auto server = start_measured_server({"transform", "server", "--tcp", "-p", "0", "-q", "--threads",
                                       "2", "--max-output", "1048576"});
  ASSERT_GT(server.port, 0) << server.process->err();
  const pid_t pid = server.process->pid();
  constexpr long kClients = 20;
  // Per peer: 1 MiB queued, one batch of replies (64 KiB, plus one reply of at most 200 KiB)
  // and its input (<= 320 KiB); 24 MiB for the threads and the allocator, and io_uring's
  // receive buffers on its two loops.
  const long limit =
      vm_rss_kib(pid) + growth_bound_kib(kClients * (1024 + 64 + 200 + 320) + 24 * 1024 +
                                         io_uring_receive_buffers_kib(2));
  const auto result =
      run_attacker("never_read", {"127.0.0.1", std::to_string(server.port), std::to_string(pid),
                                  std::to_string(kClients), "transform", std::to_string(limit)});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  stop(server);
}

}  // namespace
}  // namespace soket::test
