// Usage errors in plain words, on a command tree shaped like soket's own.
#include "cli/usage_error.h"

#include <gtest/gtest.h>

#include "cli/option_checks.h"

namespace soket::cli {
namespace {

struct Tree {
  CLI::App top{"test", "soket"};
  std::string port;
  double timeout = 1;
  int tries = 1;
  bool udp = false;
  std::string backend = "epoll";
  std::string name;

  Tree() {
    top.require_subcommand(1);
    auto* echo = top.add_subcommand("echo", "echo");
    echo->require_subcommand(1);
    auto* server = echo->add_subcommand("server", "server");
    server->add_option("-p,--port", port)->required();
    server->add_option("--backend", backend)->check(one_of({"epoll", "io_uring"}));
    auto* client = echo->add_subcommand("client", "client");
    client->add_option("-p,--port", port)->required();
    client->add_option("--timeout", timeout)->check(seconds_between(0.001, 86400));
    client->add_flag("--udp", udp);
    auto* dns = top.add_subcommand("dns", "dns");
    dns->add_option("name", name);
    dns->add_option("--tries", tries)->check(count_between(1, 100));
    dns->add_option("--old", tries)->check(CLI::Range(1, 10));
    dns->add_option("--count", tries);
    top.add_subcommand("sockets", "sockets");
  }

  // The failure main() would print for these words, or "parsed" when there is none.
  std::string failure(std::vector<std::string> words) {
    std::vector<std::string> reversed(words.rbegin(), words.rend());
    try {
      top.parse(std::move(reversed));
    } catch (const CLI::ParseError& error) {
      auto failure = parse_failure(top, error);
      EXPECT_EQ(failure.code, kExitUsage);
      return failure.message;
    }
    return "parsed";
  }
};

TEST(UsageError, UnknownOptionComesBeforeAMissingRequiredOne) {
  EXPECT_EQ(Tree().failure({"echo", "client", "--foo"}),
            "unknown option --foo; see soket echo client --help");
  EXPECT_EQ(Tree().failure({"echo", "client", "--foo=3"}),
            "unknown option --foo; see soket echo client --help");
  EXPECT_EQ(Tree().failure({"echo", "client", "-z"}),
            "unknown option -z; see soket echo client --help");
  EXPECT_EQ(Tree().failure({"echo", "client", "-p", "1", "--tiemout", "3"}),
            "unknown option --tiemout (did you mean --timeout?); see soket echo client --help");
}

TEST(UsageError, UnknownSubcommandsAreNamedWithTheNearestOne) {
  EXPECT_EQ(Tree().failure({"ech"}),
            "unknown subcommand ech (did you mean echo?); see soket --help");
  EXPECT_EQ(Tree().failure({"sokets"}),
            "unknown subcommand sokets (did you mean sockets?); see soket --help");
  EXPECT_EQ(Tree().failure({"frobnicate"}), "unknown subcommand frobnicate; see soket --help");
  EXPECT_EQ(Tree().failure({"echo", "clent", "-p", "1"}),
            "unknown subcommand clent (did you mean client?); see soket echo --help");
}

TEST(UsageError, EachParserErrorInPlainWords) {
  EXPECT_EQ(Tree().failure({"echo", "client"}), "--port is required; see soket echo client --help");
  EXPECT_EQ(Tree().failure({"echo"}),
            "soket echo needs a subcommand: server, client; see soket echo --help");
  EXPECT_EQ(Tree().failure({"echo", "client", "-p"}),
            "--port needs a value; see soket echo client --help");
  EXPECT_EQ(Tree().failure({"echo", "client", "-p", "1", "--timeout", "0"}),
            "--timeout must be between 0.001 and 86400 seconds; see soket echo client --help");
  EXPECT_EQ(Tree().failure({"echo", "server", "-p", "1", "--backend", "poll"}),
            "--backend must be one of epoll, io_uring; see soket echo server --help");
  EXPECT_EQ(Tree().failure({"dns", "--count", "many"}),
            "--count must be a whole number, not 'many'; see soket dns --help");
  EXPECT_EQ(Tree().failure({"dns", "a.example", "b.example"}),
            "unexpected argument 'b.example'; see soket dns --help");
  EXPECT_EQ(Tree().failure({"echo", "client", "-p", "1", "--udp=maybe"}).substr(0, 42),
            "--udp is a flag and takes no value (or tru");
}

TEST(UsageError, AnOptionTakenAsAValueIsAMissingValue) {
  EXPECT_EQ(Tree().failure({"echo", "client", "-p", "--timeout", "5"}),
            "--port needs a value (--timeout is an option of its own); see soket echo client "
            "--help");
}

TEST(UsageError, RepeatsAndMissingArguments) {
  EXPECT_EQ(Tree().failure({"echo", "server", "-p", "1", "-p", "2"}),
            "--port is given more than once; see soket echo server --help");
  Tree tree;
  tree.top.get_subcommand("dns")->get_option("name")->required();
  EXPECT_EQ(tree.failure({"dns"}), "the name argument is required; see soket dns --help");
}

TEST(UsageError, CliRangeMessagesAreReworded) {
  EXPECT_EQ(Tree().failure({"dns", "--old", "0"}),
            "--old must be between 1 and 10; see soket dns --help");
}

TEST(UsageError, HelpRequestsBecomeHelpFlags) {
  Tree tree;
  using Words = std::vector<std::string>;
  auto words = help_request(tree.top, {"help", "echo", "client"});
  ASSERT_TRUE(std::holds_alternative<Words>(words));
  EXPECT_EQ(std::get<Words>(words), (Words{"echo", "client", "--help"}));
  words = help_request(tree.top, {"help"});
  EXPECT_EQ(std::get<Words>(words), (Words{"--help"}));
  words = help_request(tree.top, {"help", "ech"});
  ASSERT_TRUE(std::holds_alternative<Failure>(words));
  EXPECT_EQ(std::get<Failure>(words).message,
            "unknown subcommand ech (did you mean echo?); see soket --help");
  words = help_request(tree.top, {"help", "echo", "client", "more"});
  EXPECT_EQ(std::get<Failure>(words).message,
            "unexpected argument 'more'; see soket echo client --help");
}

TEST(UsageError, DidYouMeanStaysNear) {
  const std::vector<std::string> names{"echo", "transform", "chat", "sockets", "dns", "http"};
  EXPECT_EQ(did_you_mean("ech", names), "echo");
  EXPECT_EQ(did_you_mean("trans", names), "transform");  // A unique prefix.
  EXPECT_EQ(did_you_mean("htpt", names), "http");        // Two letters swapped.
  EXPECT_EQ(did_you_mean("zzz", names), std::nullopt);
  EXPECT_EQ(did_you_mean("x", names), std::nullopt);
  EXPECT_EQ(did_you_mean("--tiemout", {"--timeout", "--tries"}), "--timeout");
  EXPECT_EQ(did_you_mean("--", {"--timeout"}), std::nullopt);
}

}  // namespace
}  // namespace soket::cli
