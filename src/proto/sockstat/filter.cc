#include "proto/sockstat/filter.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <string_view>
#include <utility>

#include "proto/sockstat/inet_diag.h"

namespace soket::proto::sockstat {
namespace {

std::string lower(std::string_view word) {
  std::string out(word);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// ss's state names and groups (ss.c: sstate_namel and the SS_* groups).
std::optional<std::uint32_t> state_mask(std::string_view word) {
  const std::string name = lower(word);
  constexpr std::uint32_t kConnected =
      kAllStates & ~(state_bit(kListen) | state_bit(kClose) | state_bit(kNewSynRecv));
  constexpr std::uint32_t kBucket = state_bit(kSynRecv) | state_bit(kTimeWait);
  struct Named {
    const char* name;
    std::uint32_t mask;
  };
  static constexpr Named kNames[] = {
      {"established", state_bit(kEstablished)},
      {"estab", state_bit(kEstablished)},
      {"syn-sent", state_bit(kSynSent)},
      {"syn-recv", state_bit(kSynRecv)},
      {"fin-wait-1", state_bit(kFinWait1)},
      {"fin-wait-2", state_bit(kFinWait2)},
      {"time-wait", state_bit(kTimeWait)},
      {"closed", state_bit(kClose)},
      {"unconn", state_bit(kClose)},
      {"close-wait", state_bit(kCloseWait)},
      {"last-ack", state_bit(kLastAck)},
      {"listening", state_bit(kListen)},
      {"listen", state_bit(kListen)},
      {"closing", state_bit(kClosing)},
      {"all", kAllStates},
      {"connected", kConnected},
      {"synchronized", kConnected & ~state_bit(kSynSent)},
      {"bucket", kBucket},
      {"big", kAllStates & ~kBucket},
  };
  for (const auto& named : kNames) {
    if (name == named.name) return named.mask;
  }
  return std::nullopt;
}

std::optional<Op> operator_word(std::string_view w) {
  if (w == "=" || w == "==" || w == "eq") return Op::eq;
  if (w == "!=" || w == "ne" || w == "neq") return Op::ne;
  if (w == "<" || w == "lt") return Op::lt;
  if (w == "<=" || w == "le" || w == "leq") return Op::le;
  if (w == ">" || w == "gt") return Op::gt;
  if (w == ">=" || w == "ge" || w == "geq") return Op::ge;
  return std::nullopt;
}

std::optional<std::uint16_t> number(std::string_view text) {
  unsigned value = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || ptr != end || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

// Splits each argument at spaces and around parentheses.
std::vector<std::string> tokenize(std::span<const std::string> words) {
  std::vector<std::string> tokens;
  for (const auto& word : words) {
    std::string current;
    for (const char c : word) {
      if (std::isspace(static_cast<unsigned char>(c)) || c == '(' || c == ')') {
        if (!current.empty()) tokens.push_back(std::exchange(current, {}));
        if (c == '(' || c == ')') tokens.emplace_back(1, c);
      } else {
        current.push_back(c);
      }
    }
    if (!current.empty()) tokens.push_back(current);
  }
  return tokens;
}

}  // namespace

class FilterParser {
 public:
  FilterParser(std::vector<std::string> tokens, std::string& error)
      : tokens_(std::move(tokens)), error_(error) {}

  std::optional<Filter> run() {
    if (tokens_.size() > kMaxFilterWords) {
      fail("the filter has more than " + std::to_string(kMaxFilterWords) + " words");
      return std::nullopt;
    }
    if (!states()) return std::nullopt;
    if (at_end()) return std::move(filter_);
    const int root = expr(0);
    if (root < 0) return std::nullopt;
    if (!at_end()) {
      fail("unexpected '" + peek() + "' in the filter");
      return std::nullopt;
    }
    filter_.root_ = root;
    return std::move(filter_);
  }

 private:
  using Node = Filter::Node;

  bool at_end() const { return next_ >= tokens_.size(); }
  std::string peek() const { return at_end() ? std::string() : tokens_[next_]; }
  // Keeps the first error: the innermost, which names the word at fault.
  bool fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return false;
  }
  int failed(std::string message) {
    fail(std::move(message));
    return -1;
  }
  int add(Node node) {
    filter_.nodes_.push_back(node);
    return static_cast<int>(filter_.nodes_.size() - 1);
  }
  int join(Node::Kind kind, int left, int right) {
    Node node;
    node.kind = kind;
    node.left = left;
    node.right = right;
    return add(node);
  }

  // `state X` adds X; `exclude X` takes X away (from every state if none was named yet).
  bool states() {
    while (!at_end() && (peek() == "state" || peek() == "exclude" || peek() == "excl")) {
      const bool exclude = peek() != "state";
      ++next_;
      if (at_end()) return fail("a state name must follow 'state' or 'exclude'");
      const auto mask = state_mask(tokens_[next_]);
      if (!mask) {
        return fail("unknown state '" + tokens_[next_] +
                    "' (e.g. established, listening, time-wait, connected, all)");
      }
      ++next_;
      std::uint32_t current = filter_.states_.value_or(exclude ? kAllStates : 0);
      filter_.states_ = exclude ? current & ~*mask : current | *mask;
    }
    return true;
  }

  int expr(int depth) {
    if (depth > kMaxFilterDepth) return failed("the filter nests too deeply");
    int left = conjunction(depth);
    while (left >= 0 && !at_end() && (peek() == "or" || peek() == "||" || peek() == "|")) {
      ++next_;
      const int right = conjunction(depth);
      if (right < 0) return -1;
      left = join(Node::Kind::or_, left, right);
    }
    return left;
  }

  int conjunction(int depth) {
    int left = unary(depth);
    while (left >= 0 && !at_end() && peek() != ")" && peek() != "or" && peek() != "||" &&
           peek() != "|") {
      if (peek() == "and" || peek() == "&&" || peek() == "&") ++next_;
      const int right = unary(depth);
      if (right < 0) return -1;
      left = join(Node::Kind::and_, left, right);
    }
    return left;
  }

  int unary(int depth) {
    if (depth > kMaxFilterDepth) return failed("the filter nests too deeply");
    if (at_end()) return failed("the filter ends where a condition was expected");
    const std::string word = peek();
    if (word == "not" || word == "!") {
      ++next_;
      const int inner = unary(depth + 1);
      return inner < 0 ? -1 : join(Node::Kind::not_, inner, -1);
    }
    if (word == "(") {
      ++next_;
      const int inner = expr(depth + 1);
      if (inner < 0) return -1;
      if (peek() != ")") return failed("a ')' is missing in the filter");
      ++next_;
      return inner;
    }
    return term();
  }

  int term() {
    const std::string word = lower(tokens_[next_]);
    Node node;
    if (word == "sport" || word == "dport") {
      node.field = word == "sport" ? Field::sport : Field::dport;
    } else if (word == "src" || word == "dst") {
      node.field = word == "src" ? Field::src : Field::dst;
    } else {
      return failed("unsupported filter word '" + tokens_[next_] +
                    "' (soket knows state, exclude, sport, dport, src, dst, and, or, not, "
                    "parentheses)");
    }
    ++next_;
    if (const auto op = at_end() ? std::nullopt : operator_word(peek())) {
      node.op = *op;
      ++next_;
    }
    if (at_end()) return failed("'" + word + "' needs a value");
    const std::string value = tokens_[next_++];
    if (node.field == Field::sport || node.field == Field::dport) {
      const std::string_view digits =
          value.starts_with(':') ? std::string_view(value).substr(1) : std::string_view(value);
      const auto port = number(digits);
      if (!port) {
        return failed("'" + value + "' is not a port number for " + word +
                      " (e.g. :8080; soket never resolves service names)");
      }
      node.port = *port;
      return add(node);
    }
    if (node.op != Op::eq && node.op != Op::ne) {
      return failed("'" + word + "' takes only = or != (not <, >, <=, >=)");
    }
    if (!address(value, node)) {
      return failed("'" + value + "' is not an address for " + word +
                    " (e.g. 127.0.0.1, 127.0.0.0/8:80, [::1]:443, *:22; no host names)");
    }
    return add(node);
  }

  // IPv4[/len][:port], [IPv6[/len]][:port], IPv6[/len], *[:port], :port.
  static bool address(std::string_view text, Node& node) {
    std::string_view host = text, rest;
    int family = AF_INET;
    if (text.starts_with('[')) {
      const auto close = text.find(']');
      if (close == std::string_view::npos) return false;
      host = text.substr(1, close - 1);
      rest = text.substr(close + 1);
      family = AF_INET6;
    } else if (std::count(text.begin(), text.end(), ':') > 1) {
      family = AF_INET6;  // A bare IPv6 address: it cannot carry a port.
    } else if (const auto colon = text.find(':'); colon != std::string_view::npos) {
      host = text.substr(0, colon);
      rest = text.substr(colon);
    }
    if (!rest.empty()) {
      if (!rest.starts_with(':')) return false;
      if (rest != ":*") {
        const auto port = number(rest.substr(1));
        if (!port) return false;
        node.port = *port;
        node.has_port = true;
      }
    }
    if (host == "*" || (host.empty() && !rest.empty())) {
      node.any_address = true;
      return true;
    }
    const auto slash = host.find('/');
    const int width = family == AF_INET ? 32 : 128;
    node.prefix = width;
    if (slash != std::string_view::npos) {
      const auto bits = number(host.substr(slash + 1));
      if (!bits || *bits > width) return false;
      node.prefix = *bits;
      host = host.substr(0, slash);
    }
    const std::string literal(host);
    unsigned char bytes[16] = {};
    if (::inet_pton(family, literal.c_str(), bytes) != 1) return false;
    node.family = static_cast<std::uint8_t>(family);
    for (int i = 0; i < 16; ++i) node.address[i] = static_cast<std::byte>(bytes[i]);
    return true;
  }

  std::vector<std::string> tokens_;
  std::size_t next_ = 0;
  std::string& error_;
  Filter filter_;
};

std::optional<Filter> Filter::parse(std::span<const std::string> words, std::string& error) {
  error.clear();
  return FilterParser(tokenize(words), error).run();
}

namespace {

bool compare(std::uint16_t value, Op op, std::uint16_t wanted) {
  switch (op) {
    case Op::eq:
      return value == wanted;
    case Op::ne:
      return value != wanted;
    case Op::lt:
      return value < wanted;
    case Op::le:
      return value <= wanted;
    case Op::gt:
      return value > wanted;
    case Op::ge:
      return value >= wanted;
  }
  return false;
}

bool address_matches(const Filter::Node& node, const Endpoint& end) {
  if (!node.any_address) {
    if (node.family != end.family) return false;
    for (int bit = 0; bit < node.prefix; ++bit) {
      const int byte = bit / 8, shift = 7 - bit % 8;
      const auto want = std::to_integer<int>(node.address[byte] >> shift) & 1;
      const auto have = std::to_integer<int>(end.address[byte] >> shift) & 1;
      if (want != have) return false;
    }
  }
  return !node.has_port || end.port == node.port;
}

}  // namespace

bool Filter::matches(const Endpoint& local, const Endpoint& peer) const {
  return root_ < 0 || eval(root_, local, peer);
}

bool Filter::eval(int index, const Endpoint& local, const Endpoint& peer) const {
  const Node& node = nodes_[static_cast<std::size_t>(index)];
  switch (node.kind) {
    case Node::Kind::and_:
      return eval(node.left, local, peer) && eval(node.right, local, peer);
    case Node::Kind::or_:
      return eval(node.left, local, peer) || eval(node.right, local, peer);
    case Node::Kind::not_:
      return !eval(node.left, local, peer);
    case Node::Kind::term:
      break;
  }
  switch (node.field) {
    case Field::sport:
      return compare(local.port, node.op, node.port);
    case Field::dport:
      return compare(peer.port, node.op, node.port);
    case Field::src:
      return address_matches(node, local) == (node.op == Op::eq);
    case Field::dst:
      return address_matches(node, peer) == (node.op == Op::eq);
  }
  return false;
}

}  // namespace soket::proto::sockstat
