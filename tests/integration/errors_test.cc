// Each error a user will meet: one clear line on stderr, and its own exit code.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "net/socket_ops.h"
#include "support/child_process.h"
#include "support/closed_port.h"

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
  const ClosedTcpPort nobody;
  const auto port = std::to_string(nobody.port());
  auto result = run({soket_binary(), "echo", "client", "-H", "127.0.0.1", "-p", port, "-m", "x"});
  expect_one_line(result, 7, "connection refused by 127.0.0.1:" + port);
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

// A usage error is exactly this one line on stderr, nothing on stdout, and exit 2.
void expect_usage(const std::vector<std::string>& words, const std::string& line) {
  std::vector<std::string> argv{soket_binary()};
  argv.insert(argv.end(), words.begin(), words.end());
  const auto result = run(argv);
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_EQ(result.err, "soket: " + line + "\n");
  EXPECT_EQ(result.out, "");
}

TEST(Errors, TheUnknownOptionIsNamedBeforeAMissingRequiredOne) {
  expect_usage({"echo", "client", "--foo"}, "unknown option --foo; see soket echo client --help");
  expect_usage({"echo", "server", "--foo=1"}, "unknown option --foo; see soket echo server --help");
  expect_usage({"demo", "-Z"}, "unknown option -Z; see soket demo --help");
  expect_usage({"--foo"}, "unknown option --foo; see soket --help");
}

TEST(Errors, DidYouMeanTheNearestSubcommandOrOption) {
  expect_usage({"ech"}, "unknown subcommand ech (did you mean echo?); see soket --help");
  expect_usage({"sokets"}, "unknown subcommand sokets (did you mean sockets?); see soket --help");
  expect_usage({"dns", "--tiemout", "2", "example.com"},
               "unknown option --tiemout (did you mean --timeout?); see soket dns --help");
  expect_usage({"echo", "clinet", "-p", "7"},
               "unknown subcommand clinet (did you mean client?); see soket echo --help");
  expect_usage({"bench", "echo", "-p", "7", "--conections", "2"},
               "unknown option --conections (did you mean --connections?); see soket bench echo "
               "--help");
  expect_usage({"frobnicate"}, "unknown subcommand frobnicate; see soket --help");
}

TEST(Errors, RangesAreWrittenForPeople) {
  expect_usage({"dns", "--timeout", "0", "example.com"},
               "--timeout must be between 0.001 and 3600 seconds; see soket dns --help");
  expect_usage({"echo", "client", "-p", "7", "--timeout", "0"},
               "--timeout must be between 0.001 and 86400 seconds; see soket echo client --help");
  expect_usage({"echo", "server", "-p", "0", "--threads", "0"},
               "--threads must be between 1 and 1024; see soket echo server --help");
  expect_usage({"echo", "server", "-p", "0", "--max-output", "100"},
               "--max-output must be between 4096 and 2147483648 bytes (4 KiB to 2 GiB); see "
               "soket echo server --help");
  expect_usage({"sockets", "--watch", "0"},
               "--watch must be between 0.1 and 86400 seconds; see soket sockets --help");
}

TEST(Errors, AValueOutsideItsSetNamesTheChoices) {
  expect_usage({"echo", "server", "-p", "0", "--backend", "poll"},
               "--backend must be one of auto, epoll, io_uring; see soket echo server --help");
  expect_usage({"bench", "echo", "-p", "7", "--mode", "burst"},
               "--mode must be one of pingpong, stream, idle; see soket bench echo --help");
}

TEST(Errors, MissingValuesAndOptionsAndSubcommands) {
  expect_usage({"echo", "server"}, "--port is required; see soket echo server --help");
  expect_usage({"echo", "client", "-p"}, "--port needs a value; see soket echo client --help");
  expect_usage({"dns", "example.com", "--timeout"},
               "--timeout needs a value; see soket dns --help");
  expect_usage({"echo", "client", "-p", "--timeout", "5"},
               "--port needs a value (--timeout is an option of its own); see soket echo client "
               "--help");
  expect_usage({"echo", "server", "-p", "1", "-p", "2"},
               "--port is given more than once; see soket echo server --help");
  expect_usage({"echo"}, "soket echo needs a subcommand: server, client; see soket echo --help");
  const auto result = run({soket_binary()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err.rfind("soket: soket needs a subcommand: echo, transform, ", 0), 0u)
      << result.err;
}

TEST(Errors, ExtraArgumentsAndNonNumbers) {
  expect_usage({"echo", "server", "-p", "0", "extra"},
               "unexpected argument 'extra'; see soket echo server --help");
  expect_usage({"demo", "now"}, "unexpected argument 'now'; see soket demo --help");
  expect_usage({"dns", "--tries", "many", "example.com"},
               "--tries must be a whole number, not 'many'; see soket dns --help");
  expect_usage({"bench", "echo", "-p", "7", "-d", "soon"},
               "--duration must be a number of seconds, not 'soon'; see soket bench echo --help");
}

TEST(Errors, UsageErrorsFoundAfterParsingPointAtTheirSubcommand) {
  expect_usage({"transform", "server", "-p", "0", "--udp", "--tcp"},
               "--udp and --tcp exclude each other; see soket transform server --help");
}

TEST(Errors, HelpSubcommandIsTheSubcommandsOwnHelp) {
  const std::vector<std::vector<std::string>> commands{
      {}, {"echo"}, {"echo", "client"}, {"dns"}, {"bench", "chat"}};
  for (const auto& words : commands) {
    std::vector<std::string> help{soket_binary(), "help"};
    help.insert(help.end(), words.begin(), words.end());
    std::vector<std::string> flag{soket_binary()};
    flag.insert(flag.end(), words.begin(), words.end());
    flag.push_back("--help");
    const auto by_help = run(help);
    const auto by_flag = run(flag);
    EXPECT_EQ(by_help.exit_code, 0) << by_help.err;
    EXPECT_EQ(by_flag.exit_code, 0) << by_flag.err;
    EXPECT_EQ(by_help.out, by_flag.out);
    EXPECT_NE(by_help.out.find("Usage: soket"), std::string::npos) << by_help.out;
    EXPECT_EQ(by_help.err, "");
  }
  expect_usage({"help", "ech"}, "unknown subcommand ech (did you mean echo?); see soket --help");
  expect_usage({"help", "echo", "clinet"},
               "unknown subcommand clinet (did you mean client?); see soket echo --help");
}

// With SIGPIPE ignored (a reset peer must never kill a server), a closed stdout shows up as
// EPIPE from a write. `soket ... | head` must end quietly with the shell's SIGPIPE status,
// not an "internal error". The pipe's read end is closed before soket starts, so the very
// first write fails, every time.
TEST(Errors, AClosedStdoutEndsQuietlyWithTheSigpipeStatus) {
  const std::string script =
      "import os, subprocess, sys\n"
      "r, w = os.pipe()\n"
      "os.close(r)\n"
      "p = subprocess.run([sys.argv[1], 'sockets', '-a'], stdout=w, stderr=subprocess.PIPE)\n"
      "sys.stdout.write(f'{p.returncode} [{p.stderr.decode()}]')\n";
  const auto result = run({"python3", "-c", script, soket_binary()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "141 []");
}

TEST(Errors, UnknownListenAddress) {
  auto result = run({soket_binary(), "echo", "server", "-H", "192.0.2.1", "-p", "0"});
  expect_one_line(result, 9, "no interface of this machine has that address");
}

}  // namespace
}  // namespace soket::test
