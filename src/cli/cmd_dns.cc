// soket dns: a DNS client that writes and reads the wire format itself (seed 002, part D),
// with dig's spellings beside soket's own.
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>

#include "cli/commands.h"
#include "cli/dns_output.h"
#include "cli/dns_words.h"
#include "cli/failure.h"
#include "cli/option_checks.h"
#include "cli/server_flags.h"
#include "proto/dns/query.h"

namespace soket::cli {
namespace {

struct DnsFlags {
  std::vector<std::string> words;  // NAME [TYPE] [CLASS] [@SERVER] [+option], in any order.
  std::string name;                // -q NAME
  std::string qtype, qclass;       // -t TYPE, -c CLASS: for the queries that name none.
  std::string port = "53";
  std::string reverse;
  bool tcp = false, short_output = false, json = false, no_recurse = false, dnssec = false;
  double timeout = 5;
  int tries = 3;
  bool timeout_given = false, tries_given = false, port_given = false;
  std::string file;
  int concurrency = 64;
};

// One query of the batch, or (with -f) a line that could not become one.
struct Item {
  clients::DnsQuery query;
  std::optional<Failure> failure;
};

struct Servers {
  std::vector<net::Address> addresses;
  std::vector<std::string> shown;       // "127.0.0.1#53(127.0.0.1)", for the output.
  std::vector<std::string> targets;     // "127.0.0.1:53", for the errors (without transport).
  std::optional<net::ResolvConf> conf;  // When they came from resolv.conf.
};

std::optional<Failure> to_query(const WordQuery& word, std::uint16_t qtype, std::uint16_t qclass,
                                clients::DnsQuery& query) {
  auto ascii = clients::to_ascii_name(word.name);
  if (!ascii) return usage_failure(fmt::format("'{}' is not a valid domain name", word.name));
  if (auto valid = proto::dns::check_name(*ascii); !valid) {
    return usage_failure(
        fmt::format("'{}' is not a valid domain name: {}", word.name, valid.error().message()));
  }
  query = {*ascii, word.qtype.value_or(qtype), word.qclass.value_or(qclass)};
  return std::nullopt;
}

// -f FILE: one line per query in dig's words (NAME [TYPE] [CLASS], several queries allowed).
// A line that cannot be read is an item of its own, reported in its place.
std::optional<Failure> read_file(const DnsFlags& flags, std::uint16_t qtype, std::uint16_t qclass,
                                 std::vector<Item>& items) {
  std::ifstream file(flags.file);
  if (!file) return usage_failure(fmt::format("cannot read '{}'", flags.file));
  std::size_t number = 0;
  for (std::string line; std::getline(file, line);) {
    ++number;
    std::istringstream in(line);
    std::vector<std::string> words;
    for (std::string word; in >> word;) words.push_back(word);
    if (words.empty() || words[0][0] == '#' || words[0][0] == ';') continue;
    auto bad = [&](const std::string& why) {
      Item item;
      item.failure = Failure{
          kExitUsage, fmt::format("{}:{}: {}; the other lines go on", flags.file, number, why)};
      items.push_back(std::move(item));
    };
    DnsWords parsed;
    if (auto error = parse_dns_words(words, parsed)) {
      bad(*error);
      continue;  // A rejected line asks nothing, not even the names before its bad word.
    }
    if (!parsed.server_host.empty() || parsed.time || parsed.tries || parsed.tcp ||
        parsed.recurse || parsed.dnssec) {
      bad("servers and +options go on the command line, not in the file");
      continue;
    }
    for (const auto& word : parsed.queries) {
      Item item;
      if (auto failure = to_query(word, qtype, qclass, item.query)) {
        bad(failure->message.substr(0, failure->message.find("; see soket")));
        break;
      }
      items.push_back(std::move(item));
    }
  }
  return std::nullopt;
}

std::optional<Failure> plan_queries(const DnsFlags& flags, DnsWords& words,
                                    std::vector<Item>& items) {
  std::vector<std::string> all = flags.words;
  if (auto error = parse_dns_words(all, words)) return usage_failure(*error);
  auto qtype = flags.qtype.empty() ? proto::dns::type::a : proto::dns::type_from_name(flags.qtype);
  if (!qtype)
    return usage_failure(
        fmt::format("-t {}: not a record type (A, MX, DNSKEY, TYPE65...)", flags.qtype));
  auto qclass =
      flags.qclass.empty() ? proto::dns::kClassIn : proto::dns::class_from_name(flags.qclass);
  if (!qclass)
    return usage_failure(fmt::format("-c {}: not a class (IN, CH, HS, CLASS7...)", flags.qclass));
  std::vector<WordQuery> wanted;
  if (!flags.reverse.empty()) {
    auto reverse = proto::dns::reverse_name(flags.reverse);
    if (!reverse)
      return usage_failure(fmt::format("-x needs an IP address, not '{}'", flags.reverse));
    wanted.push_back({*reverse, proto::dns::type::ptr, {}});
  }
  if (!flags.name.empty()) wanted.push_back({flags.name, {}, {}});
  wanted.insert(wanted.end(), words.queries.begin(), words.queries.end());
  for (const auto& word : wanted) {
    Item item;
    if (auto failure = to_query(word, *qtype, *qclass, item.query)) return failure;
    items.push_back(std::move(item));
  }
  if (!flags.file.empty()) return read_file(flags, *qtype, *qclass, items);
  if (items.empty()) return usage_failure("give a name to look up (or -x ADDRESS, or -f FILE)");
  return std::nullopt;
}

// @SERVER, else every nameserver of resolv.conf (SOKET_RESOLV_CONF names another file, for
// tests), in its order.
std::optional<Failure> find_servers(const DnsFlags& flags, const DnsWords& words,
                                    std::uint16_t port, Servers& servers) {
  auto add = [&](const net::Address& address, const std::string& host) {
    servers.addresses.push_back(address);
    servers.shown.push_back(fmt::format("{}#{}({})", address.host(), port, host));
    servers.targets.push_back(describe_target(host, port, net::Transport::udp));
  };
  if (!words.server_host.empty()) {
    auto addresses = net::resolve(words.server_host, port, net::Transport::udp);
    if (!addresses) {
      return client_failure(addresses.error(),
                            describe_target(words.server_host, port, net::Transport::udp),
                            from_seconds(flags.timeout));
    }
    add(addresses->front(), words.server_host);
    return std::nullopt;
  }
  const char* env = std::getenv("SOKET_RESOLV_CONF");
  const std::string path = env != nullptr && *env != '\0' ? env : "/etc/resolv.conf";
  servers.conf = net::read_resolv_conf(path);
  if (servers.conf) {
    for (const auto& host : servers.conf->nameservers) {
      if (auto address = net::Address::parse(host, port)) add(*address, host);
    }
  }
  if (servers.addresses.empty()) {
    return usage_failure(fmt::format("no nameserver in {}; name one with @SERVER", path));
  }
  return std::nullopt;
}

std::string seconds_text(Duration d, const char* format = "{:g} s") {
  return fmt::format(fmt::runtime(format), std::chrono::duration<double>(d).count());
}

// The failure of a query that got no response, with the time it actually waited.
Failure failure_of(const clients::DnsOutcome& outcome, const Servers& servers, bool tcp,
                   Duration timeout) {
  const std::error_code& error = outcome.response.error();
  const std::string transport = tcp || outcome.in_tcp_retry ? " (tcp)" : " (udp)";
  auto target = [&](const std::string& udp_target) {
    return udp_target.substr(0, udp_target.rfind(" (")) + transport;
  };
  const std::string server = target(servers.targets[outcome.server]);
  Failure failure{kExitNetworkError, ""};
  if (error.category() == proto::dns::error_category()) {
    failure = {kExitMalformedReply,
               fmt::format("malformed reply from {}: {}", server, error.message())};
  } else if (error.category() == clients::dns_error_category()) {
    failure = {kExitNetworkError, fmt::format("{}: {}; the server may have failed or refused us",
                                              server, error.message())};
  } else if (error == std::errc::timed_out) {
    std::vector<std::string> all;
    for (const auto& each : servers.targets) all.push_back(target(each));
    failure = {kExitTimedOut,
               fmt::format("no answer from {} within {} a try ({} {}, {} waited in all); check "
                           "the server, or allow more time with --timeout or +time=N",
                           fmt::join(all, ", "), seconds_text(timeout), outcome.tries,
                           outcome.tries == 1 ? "try" : "tries",
                           seconds_text(outcome.waited, "{:.2f} s"))};
  } else {
    failure = client_failure(error, server, timeout);
  }
  if (outcome.in_tcp_retry) {
    failure.message = "the TCP retry after a truncated UDP reply failed: " + failure.message;
  }
  return failure;
}

int exit_code_of(const clients::DnsResponse& response) {
  switch (response.message.header.rcode) {
    case 0:
      return kExitOk;
    case 3:
      return kExitNxdomain;
    default:
      return kExitDnsServerFailure;
  }
}

clients::DnsOptions options_for(const DnsFlags& flags, const DnsWords& words,
                                const Servers& servers) {
  clients::DnsOptions options{
      from_seconds(flags.timeout), flags.tries, words.tcp.value_or(flags.tcp),
      words.recurse.value_or(!flags.no_recurse), words.dnssec.value_or(flags.dnssec)};
  // resolv.conf's options count for its own servers, unless the command line says otherwise.
  if (servers.conf && servers.conf->timeout_seconds && !flags.timeout_given) {
    options.timeout = std::chrono::seconds(*servers.conf->timeout_seconds);
  }
  if (servers.conf && servers.conf->attempts && !flags.tries_given) {
    options.tries = *servers.conf->attempts;
  }
  if (words.time) options.timeout = from_seconds(*words.time);
  if (words.tries) options.tries = *words.tries;
  return options;
}

int run_dns(const DnsFlags& flags) {
  DnsWords words;
  std::vector<Item> items;
  if (auto failure = plan_queries(flags, words, items)) return report(*failure);
  std::uint16_t port = 53;
  if (auto failure = parse_port_flag(flags.port, port)) return report(*failure);
  if (words.port) port = *words.port;  // @HOST:PORT wins over -p.
  Servers servers;
  if (auto failure = find_servers(flags, words, port, servers)) return report(*failure);
  const auto options = options_for(flags, words, servers);
  DnsDisplay display = words.display;
  display.short_form = display.short_form || flags.short_output;
  std::vector<clients::DnsQuery> queries;
  for (const auto& item : items) {
    if (!item.failure) queries.push_back(item.query);
  }
  auto results = clients::query_dns_many(servers.addresses, queries, options, flags.concurrency);
  const bool report_errors = !flags.json || items.size() == 1;
  const std::string asked = fmt::format("{}", fmt::join(flags.words, " "));
  int first_failure = kExitOk;
  for (std::size_t i = 0, done = 0; i < items.size(); ++i) {
    int code = kExitOk;
    if (items[i].failure) {
      code = report(*items[i].failure);
    } else {
      const auto& outcome = results[done++];
      const DnsShown shown{asked, servers.shown[outcome.server]};
      if (flags.json) fmt::print("{}", json_text(items[i].query, outcome, shown));
      if (outcome.response) {
        if (!flags.json) {
          fmt::print("{}", display.short_form ? short_text(*outcome.response)
                                              : dig_text(*outcome.response, shown, display));
        }
        code = exit_code_of(*outcome.response);
      } else {
        const Failure failure = failure_of(outcome, servers, options.tcp, options.timeout);
        code = report_errors ? report(failure) : failure.code;
      }
    }
    if (first_failure == kExitOk) first_failure = code;
  }
  std::fflush(stdout);
  return first_failure;
}

}  // namespace

void add_dns_command(CLI::App& app, Action& action) {
  auto* command = app.add_subcommand("dns", "Look up DNS records, writing the queries by hand");
  auto flags = std::make_shared<DnsFlags>();
  command->add_option("words", flags->words,
                      "NAME [TYPE] [CLASS] [@SERVER[:PORT]] [+option]..., as dig takes them");
  command->add_option("-p,--port", flags->port, "Port of the server")->capture_default_str();
  command->add_option("-x", flags->reverse, "Reverse lookup of an IPv4 or IPv6 address");
  command->add_option("-q", flags->name, "A name to look up (as dig's -q)");
  command->add_option("-t", flags->qtype, "The record type of queries that name none (dig's -t)");
  command->add_option("-c", flags->qclass, "The class of queries that name none (dig's -c)");
  command->add_flag("--tcp", flags->tcp, "Use TCP from the start");
  command->add_flag("--short", flags->short_output, "Only the answers' data, one per line");
  command->add_flag("--json", flags->json, "One JSON object per query");
  command->add_flag("--dnssec", flags->dnssec, "Set the DO bit: ask for the DNSSEC records too");
  command->add_option("--timeout", flags->timeout, "Seconds to wait for each try")
      ->check(seconds_between(0.001, 3600))
      ->capture_default_str();
  command->add_option("--tries", flags->tries, "Tries over UDP before giving up")
      ->check(count_between(1, 100))
      ->capture_default_str();
  command->add_flag("--no-recurse", flags->no_recurse, "Clear RD: ask for no recursion");
  command->add_option("-f,--file", flags->file, "One query per line: NAME [TYPE] [CLASS]");
  command->add_option("--concurrency", flags->concurrency, "Queries in flight with -f")
      ->check(count_between(1, 10'000))
      ->capture_default_str();
  command->callback([flags, command, &action] {
    flags->timeout_given = command->count("--timeout") > 0;
    flags->tries_given = command->count("--tries") > 0;
    action = [flags] { return run_dns(*flags); };
  });
}

}  // namespace soket::cli
