#include "cli/dns_words.h"

#include <fmt/core.h>

#include <charconv>

#include "proto/dns/message.h"

namespace soket::cli {
namespace {

// dig's options that soket knows. As dig does, a word may be cut short to any prefix that
// names one option only (+noadd, +norec, +nocom).
constexpr std::string_view kOptions[] = {
    "short", "tcp",    "vc",       "recurse",   "time",       "tries",    "retry", "dnssec",
    "all",   "answer", "question", "authority", "additional", "comments", "cmd",   "stats"};

std::optional<std::string_view> option_named(std::string_view word) {
  std::optional<std::string_view> found;
  for (const auto option : kOptions) {
    if (option == word) return option;
    if (word.size() >= 2 && option.substr(0, word.size()) == word) {
      if (found) return std::nullopt;  // Ambiguous: "+a" could be +all or +answer.
      found = option;
    }
  }
  return found;
}

void set_all(DnsDisplay& d, bool on) {
  d.cmd = d.comments = d.question = d.answer = d.authority = d.additional = d.stats = on;
}

std::optional<std::string> number_option(std::string_view name, std::string_view value,
                                         DnsWords& out) {
  int number = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
  const int low = name == "retry" ? 0 : 1, high = name == "time" ? 3600 : 100;
  if (value.empty() || ec != std::errc() || end != value.data() + value.size() || number < low ||
      number > high) {
    return fmt::format("+{} must be a whole number from {} to {}, not '{}'", name, low, high,
                       value);
  }
  if (name == "time") out.time = number;
  if (name == "tries") out.tries = number;
  if (name == "retry") out.tries = number + 1;
  return std::nullopt;
}

std::optional<std::string> plus_option(std::string_view word, DnsWords& out) {
  std::string_view text = word.substr(1);
  const auto equals = text.find('=');
  const std::string_view value =
      equals == std::string_view::npos ? std::string_view{} : text.substr(equals + 1);
  text = text.substr(0, equals);
  const bool no = text.substr(0, 2) == "no";
  auto name = option_named(no ? text.substr(2) : text);
  if (!name && !no) name = option_named(text);
  if (!name) {
    return fmt::format(
        "unknown dig option '{}'; soket knows +[no]short, +[no]tcp, +[no]recurse, "
        "+time=N, +tries=N, +retry=N, +[no]dnssec, +[no]all, +[no]answer, "
        "+[no]question, +[no]authority, +[no]additional, +[no]comments, "
        "+[no]cmd, +[no]stats",
        word);
  }
  const bool numeric = *name == "time" || *name == "tries" || *name == "retry";
  if (numeric != (equals != std::string_view::npos) || (numeric && no)) {
    return fmt::format(
        "'{}': {}", word,
        numeric ? "give a number: +" + std::string(*name) + "=N" : "this option takes no value");
  }
  if (numeric) return number_option(*name, value, out);
  const bool on = !no;
  auto& d = out.display;
  if (*name == "short") d.short_form = on;
  if (*name == "tcp" || *name == "vc") out.tcp = on;
  if (*name == "recurse") out.recurse = on;
  if (*name == "dnssec") out.dnssec = on;
  if (*name == "all") set_all(d, on);
  if (*name == "answer") d.answer = on;
  if (*name == "question") d.question = on;
  if (*name == "authority") d.authority = on;
  if (*name == "additional") d.additional = on;
  if (*name == "comments") d.comments = on;
  if (*name == "cmd") d.cmd = on;
  if (*name == "stats") d.stats = on;
  return std::nullopt;
}

// A word that is a type (or TYPEnnn) sets the query's type, a class word its class; any other
// word is a name and starts a new query. A second name must have a dot: "example.com MXX"
// is far more often a typing error than a question about "MXX".
std::optional<std::string> query_word(const std::string& word, DnsWords& out, WordQuery& current) {
  if (auto qtype = proto::dns::type_from_name(word)) {
    current.qtype = qtype;
  } else if (auto qclass = proto::dns::class_from_name(word)) {
    current.qclass = qclass;
  } else if (current.name.empty()) {
    current.name = word;
  } else if (word.find('.') == std::string::npos) {
    return fmt::format(
        "'{}' is neither a record type (A, MX, DNSKEY, TYPE65...) nor a class "
        "(IN, CH); to ask for a second name, write it with a dot: '{}.'",
        word, word);
  } else {
    out.queries.push_back(current);
    current = WordQuery{word, {}, {}};
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> parse_server_word(std::string_view word, std::string& host,
                                             std::optional<std::uint16_t>& port) {
  std::string_view port_text;
  if (!word.empty() && word.front() == '[') {  // [v6] or [v6]:PORT
    const auto close = word.find(']');
    if (close == std::string_view::npos) return fmt::format("'@{}' lacks its ']'", word);
    host = std::string(word.substr(1, close - 1));
    const auto rest = word.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return fmt::format("'@{}': ':PORT' after ']'", word);
    if (!rest.empty()) port_text = rest.substr(1);
  } else if (const auto colon = word.find(':');
             colon != std::string_view::npos &&
             word.find(':', colon + 1) == std::string_view::npos) {
    host = std::string(word.substr(0, colon));  // HOST:PORT (one colon: not an IPv6 address).
    port_text = word.substr(colon + 1);
  } else {
    host = std::string(word);  // A name, an IPv4 address, or a bare IPv6 address.
    return host.empty() ? std::optional<std::string>("'@' needs a server after it") : std::nullopt;
  }
  unsigned value = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
  if (host.empty()) return fmt::format("'@{}' names no server", word);
  if (port_text.empty() && word.front() == '[' && word.back() == ']') return std::nullopt;
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      value > 65535) {
    return fmt::format("'@{}': the port must be a number from 0 to 65535", word);
  }
  port = static_cast<std::uint16_t>(value);
  return std::nullopt;
}

std::optional<std::string> parse_dns_words(const std::vector<std::string>& words, DnsWords& out) {
  WordQuery current;
  for (const auto& word : words) {
    std::optional<std::string> error;
    if (word.size() > 1 && word[0] == '@') {
      error = parse_server_word(std::string_view(word).substr(1), out.server_host, out.port);
    } else if (word.size() > 1 && word[0] == '+') {
      error = plus_option(word, out);
    } else if (!word.empty()) {
      error = query_word(word, out, current);
    }
    if (error) return error;
  }
  if (!current.name.empty()) {
    out.queries.push_back(current);
  } else if (current.qtype || current.qclass) {
    current.name = ".";  // dig: a type without a name asks about the root.
    out.queries.push_back(current);
  }
  return std::nullopt;
}

}  // namespace soket::cli
