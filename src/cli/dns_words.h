// The words of `soket dns` in dig's grammar: names, types and classes in any order (a new
// name starts a new query), @SERVER (with :PORT, or [v6]:PORT), and +options. Only words to
// queries and settings: no lookup, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace soket::cli {

// What dig shows: +[no]cmd, +[no]comments, +[no]question, +[no]answer, +[no]authority,
// +[no]additional, +[no]stats; +noall turns all off, +all on; +short prints the answers'
// data only.
struct DnsDisplay {
  bool cmd = true, comments = true, question = true, answer = true, authority = true,
       additional = true, stats = true, short_form = false;
};

struct WordQuery {
  std::string name;  // As written (not yet converted to ASCII); "." when only a type was given.
  std::optional<std::uint16_t> qtype, qclass;
};

struct DnsWords {
  std::vector<WordQuery> queries;
  std::string server_host;            // From @SERVER; empty when none was given.
  std::optional<std::uint16_t> port;  // From @HOST:PORT.
  DnsDisplay display;
  std::optional<double> time;  // +time=N (seconds).
  std::optional<int> tries;    // +tries=N, or +retry=N as N + 1.
  std::optional<bool> tcp, recurse, dnssec;
};

// Parses `words` into `out` (which may already hold settings); a usage message on error, e.g.
// "unknown dig option '+foo'".
std::optional<std::string> parse_dns_words(const std::vector<std::string>& words, DnsWords& out);

// "@127.0.0.1", "@ns.example:5353", "@::1", "@[::1]:5353" (the '@' already removed).
std::optional<std::string> parse_server_word(std::string_view word, std::string& host,
                                             std::optional<std::uint16_t>& port);

}  // namespace soket::cli
