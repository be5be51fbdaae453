// Each error a user will meet: one clear line on stderr, and its own exit code.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "net/socket_ops.h"
#include "support/child_process.h"

namespace soket::test {
namespace {

int count_lines(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

void expect_one_line(const RunResult& result, int exit_code, const std::string& needle) {
  EXPECT_EQ(result.exit_code, exit_code) << result.err;
  EXPECT_EQ(count_lines(result.err), 1) << result.err;
  EXPECT_NE(result.err.find(needle), std::string::npos) << result.err;
  EXPECT_EQ(result.err.rfind("soket: ", 0), 0u) << result.err;
}

std::pair<net::Fd, int> reserve_listener() {
  auto fd = net::open_listener(net::Address::parse("127.0.0.1", 0).value(), {}, 4);
  const int port = net::local_address(fd->get())->port();
  return {std::move(fd).value(), port};
}

TEST(Errors, AddressInUse) {
  auto [holder, port] = reserve_listener();
  auto result = run({soket_binary(), "echo", "server", "-p", std::to_string(port)});
  expect_one_line(result, 4, "127.0.0.1:" + std::to_string(port) + " (tcp) is already in use");
}

TEST(Errors, PermissionDeniedBelow1024) {
  // We may be root: drop to nobody, without capabilities, as an ordinary user would be.
  auto result = run({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                     "--inh-caps=-all", soket_binary(), "echo", "server", "-p", "80"});
  if (result.exit_code == 127 || result.err.find("setpriv") != std::string::npos) {
    GTEST_SKIP() << "cannot run as nobody here: " << result.err;
  }
  expect_one_line(result, 5, "permission denied to listen on 127.0.0.1:80 (tcp)");
}

TEST(Errors, ConnectionRefused) {
  auto [holder, port] = reserve_listener();
  holder.reset();
  auto result = run(
      {soket_binary(), "echo", "client", "-H", "127.0.0.1", "-p", std::to_string(port), "-m", "x"});
  expect_one_line(result, 7, "connection refused by 127.0.0.1:" + std::to_string(port));
}

TEST(Errors, UdpPortUnreachableIsRefused) {
  auto [holder, port] = reserve_listener();  // Reserves the number; no UDP socket has it.
  auto result = run({soket_binary(), "echo", "client", "--udp", "-H", "127.0.0.1", "-p",
                     std::to_string(port), "-m", "x", "--timeout", "5"});
  expect_one_line(result, 7, "connection refused");
}

TEST(Errors, TimedOut) {
  // A listener that never accepts: the kernel completes the handshake, nobody echoes.
  auto [holder, port] = reserve_listener();
  const auto start = std::chrono::steady_clock::now();
  auto result = run({soket_binary(), "echo", "client", "-H", "127.0.0.1", "-p",
                     std::to_string(port), "-m", "x", "--timeout", "0.3"});
  expect_one_line(result, 8,
                  "no answer from 127.0.0.1:" + std::to_string(port) + " (tcp) within 0.3 s");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);
}

TEST(Errors, UdpTimedOut) {
  auto silent = net::open_bound_datagram(net::Address::parse("127.0.0.1", 0).value(), {});
  const int port = net::local_address(silent->get())->port();
  auto result = run({soket_binary(), "echo", "client", "--udp", "-H", "127.0.0.1", "-p",
                     std::to_string(port), "-m", "x", "--timeout", "0.2"});
  expect_one_line(result, 8, "within 0.2 s");
}

TEST(Errors, HostNotFoundWithTheLookupKeptLocal) {
  // A private mount namespace whose resolv.conf names 127.0.0.1, so that the lookup never
  // leaves this machine.
  char path[] = "/tmp/soket-resolv-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  const std::string conf = "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n";
  ASSERT_EQ(::write(fd, conf.data(), conf.size()), static_cast<ssize_t>(conf.size()));
  ::close(fd);
  const std::string script = std::string("mount --bind ") + path +
                             " /etc/resolv.conf && exec \"$0\" echo client -H "
                             "no-such-host.invalid -p 7 -m x";
  auto result = run({"unshare", "-m", "sh", "-c", script, soket_binary()});
  ::unlink(path);
  if (result.err.find("unshare") != std::string::npos ||
      result.err.find("mount") != std::string::npos) {
    GTEST_SKIP() << "no private mount namespace here: " << result.err;
  }
  expect_one_line(result, 6, "not found");
}

TEST(Errors, PortOutOfRange) {
  for (const char* port : {"65536", "70000"}) {
    auto result = run({soket_binary(), "echo", "server", "-p", port});
    expect_one_line(result, 3, "outside 0..65535");
    result = run({soket_binary(), "echo", "client", "-p", port, "-m", "x"});
    expect_one_line(result, 3, "outside 0..65535");
  }
}

TEST(Errors, BadOptionsAreUsageErrors) {
  expect_one_line(run({soket_binary(), "echo", "server", "-p", "abc"}), 2, "not a number");
  expect_one_line(run({soket_binary(), "echo", "server", "--frobnicate", "-p", "1"}), 2,
                  "--frobnicate");
  expect_one_line(run({soket_binary(), "echo", "server"}), 2, "--port is required");
  expect_one_line(run({soket_binary(), "nonsense"}), 2, "see soket --help");
  expect_one_line(run({soket_binary(), "echo", "server", "-p", "0", "--threads", "0"}), 2,
                  "--threads");
}

TEST(Errors, UnknownListenAddress) {
  auto result = run({soket_binary(), "echo", "server", "-H", "192.0.2.1", "-p", "0"});
  expect_one_line(result, 9, "no interface of this machine has that address");
}

TEST(Demo, RunsEveryStopAndExitsZero) {
  auto result = run({soket_binary(), "demo"}, "", 60s);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("All "), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("DIFFERENT"), std::string::npos);
}

}  // namespace
}  // namespace soket::test
