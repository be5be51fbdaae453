// soket connect and soket listen against the real nc and socat on the same ports (and unix:
// paths), the way an nc user drives them; and two hostile peers of soket connect.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "net/deadline_io.h"
#include "net/socket_ops.h"
#include "support/child_process.h"

namespace soket::test {
namespace {

namespace fs = std::filesystem;

std::string binary_payload(std::size_t size, unsigned seed) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));  // NUL included.
  std::mt19937 random(seed);
  while (bytes.size() < size) bytes.push_back(static_cast<char>(random() & 0xff));
  bytes.resize(size);
  return bytes;
}

// A scratch folder of this test's own, removed at the end.
struct Scratch {
  fs::path dir;
  Scratch() {
    char name[] = "/tmp/soket-connect-XXXXXX";
    dir = ::mkdtemp(name);
  }
  ~Scratch() {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }
  std::string path(const std::string& name) const { return (dir / name).string(); }
};

void write_file(const std::string& path, std::string_view bytes) {
  std::ofstream(path, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs `argv` with stdin from `input` and stdout into `output` (files: no pipe to fill up
// while the test itself waits).
std::unique_ptr<ChildProcess> start_with_files(std::vector<std::string> argv,
                                               const std::string& input,
                                               const std::string& output) {
  std::vector<std::string> shell = {"sh", "-c",  "i=$1; o=$2; shift 2; exec \"$@\" <\"$i\" >\"$o\"",
                                    "sh", input, output};
  shell.insert(shell.end(), argv.begin(), argv.end());
  return std::make_unique<ChildProcess>(std::move(shell));
}

// socat as a TCP server on a port it picks and reports; -t 10 lets the reply direction run on
// for up to 10 s after our EOF (its default, 0.5 s, is too short for a loaded machine).
struct SocatServer {
  std::unique_ptr<ChildProcess> process;
  int port = 0;
  explicit SocatServer(const std::string& command) {
    process = std::make_unique<ChildProcess>(std::vector<std::string>{
        "socat", "-d", "-d", "-t", "10", "TCP-LISTEN:0,bind=127.0.0.1", "SYSTEM:" + command});
    auto line = process->wait_for_stderr_line("listening on");
    EXPECT_TRUE(line.has_value()) << process->err();
    if (line) port = port_of(*line);
  }
};

// `soket listen ARGS`, once it said where it listens (on stderr: stdout carries the data).
struct Listener {
  std::unique_ptr<ChildProcess> process;
  int port = 0;
  explicit Listener(std::vector<std::string> args) {
    args.insert(args.begin(), {soket_binary(), "listen"});
    process = std::make_unique<ChildProcess>(std::move(args), /*pipe_stdin=*/true);
    auto line = process->wait_for_stderr_line("listening on");
    EXPECT_TRUE(line.has_value()) << process->err();
    if (line && line->find("unix:") == std::string::npos)
      port = port_of(line->substr(0, line->rfind(' ')));
  }
};

TEST(Connect, BinaryBytesRoundTripAndTheReplyAfterOurEofArrives) {
  // cat echoes until our EOF reaches it (socat passes the half-close on); only then does the
  // server write its last words, which must still reach us.
  SocatServer server("cat; printf after-eof");
  const auto payload = binary_payload(300'000, 1);
  Scratch scratch;
  write_file(scratch.path("in"), payload);
  auto client =
      start_with_files({soket_binary(), "connect", "127.0.0.1", std::to_string(server.port)},
                       scratch.path("in"), scratch.path("out"));
  EXPECT_EQ(client->wait_exit(30s), 0) << client->err();
  const auto out = read_file(scratch.path("out"));
  EXPECT_EQ(out.size(), payload.size() + 9);
  EXPECT_TRUE(out == payload + "after-eof") << "the bytes differ";
}

TEST(Connect, ThePeerSeesOurEofAndCountsEveryByte) {
  // wc -c answers only at EOF: the count proves the half-close and that no byte was lost.
  SocatServer server("wc -c");
  const auto payload = binary_payload(100'000, 2);
  auto result =
      run({soket_binary(), "connect", "127.0.0.1", std::to_string(server.port)}, payload, 30s);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(std::stoul(result.out), payload.size()) << result.out;
}

TEST(Connect, IdleTimeoutEndsASilentSessionAsNcWDoes) {
  // The server neither answers nor closes; -w 1 ends the session once it has been silent 1 s.
  SocatServer server("sleep 60");
  const auto start = std::chrono::steady_clock::now();
  auto result = run(
      {soket_binary(), "connect", "-w", "1", "127.0.0.1", std::to_string(server.port)}, "", 30s);
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_GE(waited, 900ms);
  EXPECT_LT(waited, 8s) << "ended by socat's own -t 10, not by -w";
}

void expect_one_line(const RunResult& result, int code, const std::string& words) {
  EXPECT_EQ(result.exit_code, code) << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_EQ(result.err.rfind("soket: ", 0), 0u) << result.err;
  EXPECT_NE(result.err.find(words), std::string::npos) << result.err;
}

TEST(Connect, HostNotFoundWithTheLookupKeptLocal) {
  // A private mount namespace whose resolv.conf names 127.0.0.1, so that the lookup never
  // leaves this machine (as Errors.HostNotFoundWithTheLookupKeptLocal does).
  Scratch scratch;
  const auto conf = scratch.path("resolv.conf");
  write_file(conf, "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n");
  for (const char* scan : {"", "-z "}) {
    const std::string script = "mount --bind " + conf +
                               " /etc/resolv.conf && exec \"$0\" connect " + scan +
                               "no-such-host.invalid 7";
    auto result = run({"unshare", "-m", "sh", "-c", script, soket_binary()});
    if (result.err.find("unshare") != std::string::npos ||
        result.err.find("mount") != std::string::npos) {
      GTEST_SKIP() << "no private mount namespace here: " << result.err;
    }
    expect_one_line(result, 6, "not found");
  }
}

TEST(Connect, UsageErrorsAreOneLineWithTheirCodes) {
  const auto soket = soket_binary();
  expect_one_line(run({soket, "connect", "127.0.0.1", "70000"}), 3, "outside 0..65535");
  expect_one_line(run({soket, "connect", "127.0.0.1", "80-90"}), 2, "for -z only");
  expect_one_line(run({soket, "connect", "-z", "127.0.0.1", "90-80"}), 2, "backwards");
  expect_one_line(run({soket, "connect", "127.0.0.1"}), 2, "missing PORT");
  expect_one_line(run({soket, "connect", "-4", "-6", "127.0.0.1", "1"}), 2, "exclude");
  expect_one_line(run({soket, "connect", "-s", "nowhere", "127.0.0.1", "1"}), 2, "-s takes");
  expect_one_line(run({soket, "connect", "-6", "127.0.0.1", "1"}), 6, "no IPv6 address");
  expect_one_line(run({soket, "connect", "--udp", "unix:/tmp/x"}), 2, "unix:");
  expect_one_line(run({soket, "connect", "unix:/nonexistent/soket.sock"}), 7, "does not exist");
  expect_one_line(run({soket, "listen"}), 2, "missing PORT");
  expect_one_line(run({soket, "listen", "-p", "70000"}), 3, "outside 0..65535");
  auto held = net::open_listener(net::Address::parse("127.0.0.1", 0).value(), {}, 4).value();
  const auto port = std::to_string(net::local_address(held.get())->port());
  expect_one_line(run({soket, "listen", port}), 4, "already in use");
}

TEST(Connect, ClosedPortIsRefusedWithExit7) {
  auto result = run({soket_binary(), "connect", "127.0.0.1", "1"});
  EXPECT_EQ(result.exit_code, 7);
  EXPECT_NE(result.err.find("connection refused by 127.0.0.1:1 (tcp)"), std::string::npos)
      << result.err;
}

TEST(Connect, UdpSendsEachLineAsADatagramAndPrintsReplies) {
  // socat echoes each datagram of its first peer back to it.
  ChildProcess echo({"socat", "-d", "-d", "UDP-LISTEN:0,bind=127.0.0.1", "PIPE"});
  auto line = echo.wait_for_stderr_line("listening on");
  ASSERT_TRUE(line.has_value()) << echo.err();
  auto result = run(
      {soket_binary(), "connect", "--udp", "-w", "3", "127.0.0.1", std::to_string(port_of(*line))},
      "first\nsecond\n", 30s);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "first\nsecond\n");
}

TEST(Connect, UdpToAClosedPortIsRefused) {
  // A bound socket that never reads: the kernel still answers "port unreachable" only for
  // ports nobody holds, so take one and free it.
  auto fd = net::open_bound_datagram(net::Address::parse("127.0.0.1", 0).value(), {}).value();
  const int port = net::local_address(fd.get())->port();
  fd.reset();
  auto result =
      run({soket_binary(), "connect", "--udp", "-w", "5", "127.0.0.1", std::to_string(port)},
          "anyone?\n", 30s);
  EXPECT_EQ(result.exit_code, 7) << result.err;
}

// Three consecutive ports: the first listens, the next two are held by sockets that do not
// listen, so connections to them are refused whatever else runs on the machine.
struct PortRange {
  net::Fd open, closed1, closed2;
  int first = 0;
  PortRange() {
    for (int attempt = 0; attempt < 50 && first == 0; ++attempt) {
      auto listener = net::open_listener(net::Address::parse("127.0.0.1", 0).value(), {}, 8);
      if (!listener) continue;
      const int port = net::local_address(listener->get())->port();
      if (port > 65533) continue;
      auto hold = [](int p) -> net::Fd {
        auto fd = net::open_socket(AF_INET, SOCK_STREAM).value();
        auto address = net::Address::parse("127.0.0.1", static_cast<std::uint16_t>(p)).value();
        if (::bind(fd.get(), address.data(), address.length()) != 0) return net::Fd();
        return fd;
      };
      auto a = hold(port + 1), b = hold(port + 2);
      if (!a.valid() || !b.valid()) continue;
      open = std::move(listener).value();
      closed1 = std::move(a);
      closed2 = std::move(b);
      first = port;
    }
  }
};

TEST(Connect, ZeroIoScanAgreesWithNc) {
  PortRange ports;
  ASSERT_NE(ports.first, 0);
  const auto p = [&](int offset) { return std::to_string(ports.first + offset); };
  for (int offset : {0, 1}) {
    auto nc = run({"nc", "-z", "127.0.0.1", p(offset)});
    auto ours = run({soket_binary(), "connect", "-z", "127.0.0.1", p(offset)});
    EXPECT_EQ(ours.exit_code, nc.exit_code) << "port +" << offset << ": " << ours.err;
    EXPECT_EQ(ours.exit_code, offset == 0 ? 0 : 1);
  }
  auto range = run({soket_binary(), "connect", "-z", "127.0.0.1", p(0) + "-" + p(2)});
  EXPECT_EQ(range.exit_code, 0);
  EXPECT_NE(range.err.find("port " + p(0) + " (tcp) succeeded"), std::string::npos) << range.err;
  EXPECT_NE(range.err.find("port " + p(1) + " (tcp) failed: Connection refused"), std::string::npos)
      << range.err;
  EXPECT_NE(range.err.find("port " + p(2) + " (tcp) failed"), std::string::npos) << range.err;
  auto closed = run({soket_binary(), "connect", "-z", "127.0.0.1", p(1) + "-" + p(2)});
  EXPECT_EQ(closed.exit_code, 1) << closed.err;
}

TEST(Connect, SourceAddressIsBound) {
  // socat tells the peer address of each connection it accepts.
  SocatServer server("cat");
  auto result =
      run({soket_binary(), "connect", "-s", "127.0.0.2", "127.0.0.1", std::to_string(server.port)},
          "x", 30s);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(server.process->wait_for_stderr_line("accepting connection from AF=2 127.0.0.2:"))
      << server.process->err();
}

TEST(Listen, NcClientBothWays) {
  Listener listener({"0"});
  ChildProcess nc({"nc", "-N", "127.0.0.1", std::to_string(listener.port)}, /*pipe_stdin=*/true);
  listener.process->write_stdin("to the client\n");
  ASSERT_TRUE(nc.wait_for_line("to the client")) << nc.err();
  nc.write_stdin("hello from nc\n");
  nc.close_stdin();
  EXPECT_EQ(listener.process->wait_exit(20s), 0) << listener.process->err();
  EXPECT_EQ(listener.process->out(), "hello from nc\n");
  EXPECT_EQ(nc.wait_exit(20s), 0);
}

TEST(Listen, KeepServesTwoNcClientsInTurn) {
  // nc's habits, -lvnp included, are taken as nc takes them.
  Listener listener({"-k", "-lvnp", "0"});
  for (const std::string name : {"first", "second"}) {
    auto nc = run({"nc", "-N", "127.0.0.1", std::to_string(listener.port)}, name + "\n", 20s);
    EXPECT_EQ(nc.exit_code, 0) << nc.err;
    EXPECT_TRUE(listener.process->wait_for_line(name)) << listener.process->err();
  }
  EXPECT_FALSE(listener.process->wait_exit(0ms).has_value()) << "-k must keep listening";
  EXPECT_EQ(listener.process->out(), "first\nsecond\n");
  listener.process->send_signal(SIGTERM);
}

TEST(Listen, UdpAnswersTheFirstPeerOnly) {
  Listener listener({"--udp", "0"});
  ChildProcess first({"socat", "-t", "10", "-", "UDP:127.0.0.1:" + std::to_string(listener.port)},
                     /*pipe_stdin=*/true);
  first.write_stdin("ping\n");
  ASSERT_TRUE(listener.process->wait_for_line("ping")) << listener.process->err();
  listener.process->write_stdin("pong\n");
  EXPECT_TRUE(first.wait_for_line("pong")) << first.err();
  // Another sender is not heard (nc -lu connects to its first peer); the first still is.
  auto other = run({"socat", "-t", "0.2", "-", "UDP:127.0.0.1:" + std::to_string(listener.port)},
                   "intruder\n");
  first.write_stdin("again\n");
  ASSERT_TRUE(listener.process->wait_for_line("again")) << listener.process->err();
  EXPECT_EQ(listener.process->out(), "ping\nagain\n");
  listener.process->send_signal(SIGTERM);
}

TEST(Unix, ListenAndConnectWithSocatOnBothEnds) {
  Scratch scratch;
  const auto ours = scratch.path("ours.sock");
  Listener listener({"unix:" + ours});
  auto client = run({"socat", "-t", "10", "-", "UNIX-CONNECT:" + ours}, "over unix\n", 20s);
  EXPECT_EQ(client.exit_code, 0) << client.err;
  EXPECT_EQ(listener.process->wait_exit(20s), 0) << listener.process->err();
  EXPECT_EQ(listener.process->out(), "over unix\n");
  EXPECT_FALSE(fs::exists(ours)) << "soket listen leaves its socket file behind";

  const auto theirs = scratch.path("theirs.sock");
  ChildProcess server(
      {"socat", "-d", "-d", "-t", "10", "UNIX-LISTEN:" + theirs, "SYSTEM:cat; printf done"});
  ASSERT_TRUE(server.wait_for_stderr_line("listening on")) << server.err();
  auto result = run({soket_binary(), "connect", "unix:" + theirs}, std::string("a\0b\n", 4), 20s);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, std::string("a\0b\ndone", 8));
}

TEST(Unix, ListenRemovesOnlyAProvenlyStaleSocketFile) {
  Scratch scratch;
  // A socket file nobody listens on: bound, then closed without unlink.
  const auto stale = scratch.path("stale.sock");
  {
    net::Fd fd(::socket(AF_UNIX, SOCK_STREAM, 0));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, stale.c_str(), sizeof address.sun_path - 1);
    ASSERT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  }
  Listener listener({"unix:" + stale});
  EXPECT_NE(listener.process->err().find("removed the stale socket file"), std::string::npos)
      << listener.process->err();
  // A live one (the listener above) is left alone, and left undisturbed: exit 4.
  auto busy = run({soket_binary(), "listen", "unix:" + stale});
  EXPECT_EQ(busy.exit_code, 4) << busy.err;
  EXPECT_NE(busy.err.find("in use"), std::string::npos) << busy.err;
  // A regular file is never removed.
  const auto plain = scratch.path("notes.txt");
  write_file(plain, "keep me");
  auto refused = run({soket_binary(), "listen", "unix:" + plain});
  EXPECT_EQ(refused.exit_code, 4) << refused.err;
  EXPECT_EQ(read_file(plain), "keep me");
  // SIGTERM ends the listener as a signal does, and its socket file goes with it.
  listener.process->send_signal(SIGTERM);
  EXPECT_EQ(listener.process->wait_exit(20s), 128 + SIGTERM);
  EXPECT_FALSE(fs::exists(stale));
}

TEST(EchoClient, TakesPositionalHostAndPort) {
  auto server = start_soket_server({"echo", "server", "-p", "0"});
  auto result = run({soket_binary(), "echo", "client", "127.0.0.1", std::to_string(server.port),
                     "-m", "positional"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "positional\n");
  auto both = run({soket_binary(), "echo", "client", "127.0.0.1", "1", "-p", "2", "-m", "x"});
  EXPECT_EQ(both.exit_code, 2) << both.err;
  auto transform = start_soket_server({"transform", "server", "--tcp", "-p", "0"});
  auto reply = run({soket_binary(), "transform", "client", "localhost",
                    std::to_string(transform.port), "-m", "abc"});
  EXPECT_EQ(reply.exit_code, 0) << reply.err;
  EXPECT_EQ(reply.out.rfind("ABC | 3 karakter", 0), 0u) << reply.out;
}

// What /proc says of a process: bytes it has read (rchar: stdin and sockets alike) and the CPU
// time it has used, in clock ticks.
struct ProcessSample {
  long long read_bytes = -1;
  long long cpu_ticks = -1;
};

ProcessSample sample(pid_t pid) {
  ProcessSample result;
  std::ifstream io("/proc/" + std::to_string(pid) + "/io");
  for (std::string key; io >> key;) {
    long long value = 0;
    io >> value;
    if (key == "rchar:") result.read_bytes = value;
  }
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoll(field);
    if (i == 15) stime = std::stoll(field);
  }
  result.cpu_ticks = utime + stime;
  return result;
}

net::Fd listen_loopback(int& port) {
  auto listener = net::open_listener(net::Address::parse("127.0.0.1", 0).value(), {}, 8).value();
  port = net::local_address(listener.get())->port();
  return listener;
}

net::Fd accept_one(int listener) {
  EXPECT_TRUE(net::wait_ready(listener, POLLIN, Clock::now() + 20s).ok());
  auto accepted = net::try_accept(listener);
  EXPECT_TRUE(accepted.ok());
  return accepted ? std::move(accepted->fd) : net::Fd();
}

TEST(ConnectHostile, PeerThatNeverReadsCostsNoBytesNoMemoryNoSpinning) {
  Scratch scratch;
  const std::size_t size = 48u << 20;
  const auto payload = binary_payload(size, 3);
  write_file(scratch.path("in"), payload);
  int port = 0;
  auto listener = listen_loopback(port);
  auto client = start_with_files({soket_binary(), "connect", "127.0.0.1", std::to_string(port)},
                                 scratch.path("in"), scratch.path("out"));
  auto peer = accept_one(listener.get());
  ASSERT_TRUE(peer.valid());
  // Until the socket buffers are full soket reads stdin; then it must block. Wait (bounded)
  // for its read count to stand still over 15 samples in a row (1.5 s: a process merely starved
  // of CPU on a loaded machine would read on within that).
  ProcessSample before = sample(client->pid());
  int still = 0;
  for (int i = 0; i < 300 && still < 15; ++i) {
    ::usleep(100'000);
    const auto now = sample(client->pid());
    still = now.read_bytes == before.read_bytes ? still + 1 : 0;
    before = now;
  }
  ASSERT_EQ(still, 15) << "soket never stopped reading its stdin";
  // Then, for two seconds, it neither reads nor burns CPU: it sleeps in poll.
  ::usleep(2'000'000);
  const auto after = sample(client->pid());
  EXPECT_EQ(after.read_bytes, before.read_bytes);
  EXPECT_LE(after.cpu_ticks - before.cpu_ticks, 20) << "spinning while the peer does not read";
  // It held back: what it read is what the kernel buffers hold plus one 64 KiB chunk, far
  // less than the input.
  EXPECT_LT(before.read_bytes, static_cast<long long>(size / 2));
  // Now the peer reads: every byte arrives once, in order, then our EOF.
  std::string got;
  std::vector<std::byte> chunk(1 << 16);
  for (int reads = 0; reads < 1'000'000; ++reads) {
    auto n = net::read_some(peer.get(), chunk, Clock::now() + 30s);
    ASSERT_TRUE(n.ok()) << n.error().message();
    if (*n == 0) break;
    got.append(as_text(std::span(chunk).first(*n)));
  }
  EXPECT_EQ(got.size(), payload.size());
  EXPECT_TRUE(got == payload) << "bytes lost, duplicated or reordered";
  peer.reset();
  EXPECT_EQ(client->wait_exit(20s), 0) << client->err();
}

TEST(ConnectHostile, PeerThatResetsMidStreamGivesOneLineAndExit9) {
  Scratch scratch;
  write_file(scratch.path("in"), binary_payload(8u << 20, 4));
  int port = 0;
  auto listener = listen_loopback(port);
  auto client = start_with_files({soket_binary(), "connect", "127.0.0.1", std::to_string(port)},
                                 scratch.path("in"), scratch.path("out"));
  auto peer = accept_one(listener.get());
  ASSERT_TRUE(peer.valid());
  std::vector<std::byte> chunk(1 << 16);
  std::size_t have = 0;
  for (int reads = 0; reads < 10'000 && have < chunk.size(); ++reads) {
    auto n = net::read_some(peer.get(), chunk, Clock::now() + 20s);
    ASSERT_TRUE(n.ok() && *n > 0);
    have += *n;
  }
  // SO_LINGER with a zero timeout: close() sends RST instead of FIN.
  linger reset{1, 0};
  ASSERT_EQ(::setsockopt(peer.get(), SOL_SOCKET, SO_LINGER, &reset, sizeof reset), 0);
  peer.reset();
  EXPECT_EQ(client->wait_exit(30s), 9) << client->err();
  EXPECT_NE(client->err().find("127.0.0.1:" + std::to_string(port) +
                               " (tcp) closed the connection abruptly (reset)"),
            std::string::npos)
      << client->err();
  EXPECT_EQ(std::count(client->err().begin(), client->err().end(), '\n'), 1) << client->err();
}

// soket listen -k faces a client that sends, then resets while soket still writes to it (its
// stdin is large): that costs the client its session, never the listener. The next client, a
// real nc, is served.
// Writes `text` to the child's stdin from a thread of its own; the child's end (killed here
// if still running) is what unblocks a write the child never reads.
struct StdinFeeder {
  ChildProcess& child;
  std::thread thread;
  StdinFeeder(ChildProcess& to, std::string text)
      : child(to), thread([this, text = std::move(text)] { child.write_stdin(text); }) {}
  ~StdinFeeder() {
    child.send_signal(SIGKILL);
    thread.join();
  }
};

TEST(ListenHostile, ClientThatResetsMidStreamCostsOnlyItsOwnSession) {
  Listener listener({"-k", "0"});
  // More than the socket buffers hold, written beside the test: soket reads stdin only while a
  // client is connected, so the pipe stays full until then.
  StdinFeeder feeder(*listener.process, std::string(8u << 20, 'x'));
  const auto deadline = Clock::now() + 30s;
  auto attacker = net::connect_host("127.0.0.1", static_cast<std::uint16_t>(listener.port),
                                    net::Transport::tcp, deadline);
  ASSERT_TRUE(attacker.ok()) << attacker.error().message();
  ASSERT_TRUE(
      net::write_all(attacker->fd.get(), soket::as_bytes(std::string("attacker\n")), deadline)
          .ok());
  ASSERT_TRUE(listener.process->wait_for_line("attacker", 30s)) << listener.process->err();
  // It reads a little of what soket sends, to be sure soket is mid-stream, then resets.
  std::vector<std::byte> chunk(1 << 16);
  auto n = net::read_some(attacker->fd.get(), chunk, deadline);
  ASSERT_TRUE(n.ok() && *n > 0);
  linger reset{1, 0};  // close() sends RST instead of FIN.
  ASSERT_EQ(::setsockopt(attacker->fd.get(), SOL_SOCKET, SO_LINGER, &reset, sizeof reset), 0);
  attacker->fd.reset();
  ASSERT_TRUE(listener.process->wait_for_stderr_line("reset", 30s)) << listener.process->err();
  // The next client gets the rest of stdin, and soket still relays what it sends.
  auto second = net::connect_host("127.0.0.1", static_cast<std::uint16_t>(listener.port),
                                  net::Transport::tcp, deadline);
  ASSERT_TRUE(second.ok()) << second.error().message();
  ASSERT_TRUE(
      net::write_all(second->fd.get(), soket::as_bytes(std::string("second\n")), deadline).ok());
  n = net::read_some(second->fd.get(), chunk, deadline);
  EXPECT_TRUE(n.ok() && *n > 0) << "the second client got nothing of stdin";
  EXPECT_TRUE(listener.process->wait_for_line("second", 30s)) << listener.process->err();
  EXPECT_FALSE(listener.process->wait_exit(0ms).has_value()) << listener.process->err();
  listener.process->send_signal(SIGTERM);
  EXPECT_EQ(listener.process->wait_exit(30s), 128 + SIGTERM);
}

}  // namespace
}  // namespace soket::test
