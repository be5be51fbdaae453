// soket dns: a DNS client that writes and reads the wire format itself (seed 002, part D).
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "cli/commands.h"
#include "cli/dns_output.h"
#include "cli/failure.h"
#include "cli/option_checks.h"
#include "cli/server_flags.h"
#include "proto/dns/query.h"

namespace soket::cli {
namespace {

struct DnsFlags {
  std::vector<std::string> words;  // NAME [TYPE] [@SERVER], in any order.
  std::string port = "53";
  std::string reverse;
  bool tcp = false, short_output = false, json = false, no_recurse = false;
  double timeout = 5;
  int tries = 3;
  std::string file;
  int concurrency = 64;
};

struct Targets {
  std::string udp, tcp;  // "127.0.0.1:53 (udp)", the same with (tcp).
  bool tcp_only = false;
};

struct Plan {
  std::vector<clients::DnsQuery> queries;
  std::string server_host;
};

std::optional<Failure> check_name(const std::string& name, const Result<std::string>& ascii) {
  if (!ascii) return usage_failure(fmt::format("'{}' is not a valid domain name", name));
  if (auto valid = proto::dns::check_name(*ascii); !valid) {
    return usage_failure(
        fmt::format("'{}' is not a valid domain name: {}", name, valid.error().message()));
  }
  return std::nullopt;
}

std::optional<Failure> plan_queries(const DnsFlags& flags, Plan& plan) {
  std::string name;
  std::optional<std::uint16_t> qtype;
  for (const auto& word : flags.words) {
    if (word.size() > 1 && word[0] == '@') {
      plan.server_host = word.substr(1);
    } else if (!name.empty() || !flags.reverse.empty()) {
      qtype = proto::dns::type_from_name(word);
      if (!qtype)
        return usage_failure(fmt::format("'{}' is not a record type (A, MX, TYPE65...)", word));
    } else {
      name = word;
    }
  }
  if (!flags.reverse.empty()) {
    auto reverse = proto::dns::reverse_name(flags.reverse);
    if (!reverse)
      return usage_failure(fmt::format("-x needs an IP address, not '{}'", flags.reverse));
    name = *reverse;
    qtype = proto::dns::type::ptr;
  }
  if (!flags.file.empty()) {
    std::ifstream file(flags.file);
    if (!file) return usage_failure(fmt::format("cannot read '{}'", flags.file));
    for (std::string line; std::getline(file, line);) {
      std::istringstream words(line);
      std::string each, type_word;
      if (!(words >> each) || each[0] == '#') continue;
      auto each_type =
          words >> type_word ? proto::dns::type_from_name(type_word) : proto::dns::type::a;
      if (!each_type)
        return usage_failure(fmt::format("'{}' in {} is not a record type", type_word, flags.file));
      auto ascii = clients::to_ascii_name(each);
      if (auto failure = check_name(each, ascii)) return failure;
      plan.queries.push_back({*ascii, *each_type});
    }
    return std::nullopt;
  }
  if (name.empty()) return usage_failure("give a name to look up (or -x ADDRESS, or -f FILE)");
  auto ascii = clients::to_ascii_name(name);
  if (auto failure = check_name(name, ascii)) return failure;
  plan.queries.push_back({*ascii, qtype.value_or(proto::dns::type::a)});
  return std::nullopt;
}

// The failure of a query that got no response: a malformed reply, a connection the server
// closed, or what client_failure says of a socket error. `target` names the transport used.
Failure failure_of(const std::error_code& error, const std::string& target, Duration timeout) {
  if (error.category() == proto::dns::error_category()) {
    return {kExitMalformedReply,
            fmt::format("malformed reply from {}: {}", target, error.message())};
  }
  if (error.category() == clients::dns_error_category()) {
    return {kExitNetworkError, fmt::format("{}: {}; the server may have failed or refused us",
                                           target, error.message())};
  }
  return client_failure(error, target, timeout);
}

int exit_code_of(const clients::DnsOutcome& outcome, const Targets& targets, Duration timeout,
                 bool report_errors) {
  const auto& response = outcome.response;
  if (!response) {
    const bool tcp = outcome.in_tcp_retry || targets.tcp_only;
    Failure failure = failure_of(response.error(), tcp ? targets.tcp : targets.udp, timeout);
    if (outcome.in_tcp_retry) {
      failure.message = "the TCP retry after a truncated UDP reply failed: " + failure.message;
    }
    return report_errors ? report(failure) : failure.code;
  }
  switch (response->message.header.rcode) {
    case 0:
      return kExitOk;
    case 3:
      return kExitNxdomain;
    default:
      return kExitDnsServerFailure;
  }
}

int run_dns(const DnsFlags& flags) {
  Plan plan;
  if (auto failure = plan_queries(flags, plan)) return report(*failure);
  std::uint16_t port = 53;
  if (auto failure = parse_port_flag(flags.port, port)) return report(*failure);
  if (plan.server_host.empty()) {
    auto system = clients::system_nameserver();
    if (!system)
      return report(usage_failure("no nameserver in /etc/resolv.conf; name one with @SERVER"));
    plan.server_host = *system;
  }
  auto addresses = net::resolve(plan.server_host, port, net::Transport::udp);
  const Targets targets{describe_target(plan.server_host, port, net::Transport::udp),
                        describe_target(plan.server_host, port, net::Transport::tcp), flags.tcp};
  if (!addresses) {
    return report(client_failure(addresses.error(), flags.tcp ? targets.tcp : targets.udp,
                                 from_seconds(flags.timeout)));
  }
  const net::Address server = addresses->front();
  clients::DnsOptions options{from_seconds(flags.timeout), flags.tries, flags.tcp,
                              !flags.no_recurse};
  const DnsShown shown{fmt::format("{}", fmt::join(flags.words, " ")),
                       fmt::format("{}#{}({})", server.host(), port, plan.server_host)};
  auto results = clients::query_dns_many(server, plan.queries, options, flags.concurrency);
  int first_failure = kExitOk;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& result = results[i].response;
    if (flags.json) {
      fmt::print("{}", json_text(plan.queries[i].name, plan.queries[i].qtype, results[i], shown));
    } else if (result && flags.short_output) {
      fmt::print("{}", short_text(*result));
    } else if (result) {
      fmt::print("{}{}", i > 0 ? "\n" : "", dig_text(*result, shown));
    }
    const int code = exit_code_of(results[i], targets, options.timeout,
                                  /*report_errors=*/!flags.json || results.size() == 1);
    if (first_failure == kExitOk) first_failure = code;
  }
  std::fflush(stdout);
  return first_failure;
}

}  // namespace

void add_dns_command(CLI::App& app, Action& action) {
  auto* command = app.add_subcommand("dns", "Look up DNS records, writing the queries by hand");
  auto flags = std::make_shared<DnsFlags>();
  command->add_option("words", flags->words, "NAME [TYPE] [@SERVER]");
  command->add_option("-p,--port", flags->port, "Port of the server")->capture_default_str();
  command->add_option("-x", flags->reverse, "Reverse lookup of an IPv4 or IPv6 address");
  command->add_flag("--tcp", flags->tcp, "Use TCP from the start");
  command->add_flag("--short", flags->short_output, "Only the answers' data, one per line");
  command->add_flag("--json", flags->json, "One JSON object per query");
  command->add_option("--timeout", flags->timeout, "Seconds to wait for each try")
      ->check(seconds_between(0.001, 3600))
      ->capture_default_str();
  command->add_option("--tries", flags->tries, "Tries over UDP before giving up")
      ->check(count_between(1, 100))
      ->capture_default_str();
  command->add_flag("--no-recurse", flags->no_recurse, "Clear RD: ask for no recursion");
  command->add_option("-f,--file", flags->file, "One query per line: NAME [TYPE]");
  command->add_option("--concurrency", flags->concurrency, "Queries in flight with -f")
      ->check(count_between(1, 10'000))
      ->capture_default_str();
  command->callback([flags, &action] { action = [flags] { return run_dns(*flags); }; });
}

}  // namespace soket::cli
