// The part of ss's filter language that soket sockets understands (see ss(8), "FILTER"):
//
//   filter  := { ("state" | "exclude") STATE } [ expr ]
//   expr    := and { ("or" | "||" | "|") and }
//   and     := unary { ["and" | "&&" | "&"] unary }          (juxtaposition is "and")
//   unary   := ("not" | "!") unary | "(" expr ")" | term
//   term    := ("sport" | "dport") [op] PORT | ("src" | "dst") [op] ADDRESS
//   op      := "=" | "==" | "eq" | "!=" | "ne" | "<" | "lt" | "<=" | "le" | ">" | "gt"
//              | ">=" | "ge"                            (ports; addresses take = and != only)
//   PORT    := ":N" or "N"                               (numbers only: no service names)
//   ADDRESS := IPv4 | "[" IPv6 "]" | IPv6 | "*", each with an optional "/prefix" and ":PORT"
//
// STATE is an ss state name (established, syn-sent, syn-recv, fin-wait-1, fin-wait-2,
// time-wait, closed, close-wait, last-ack, listening, closing) or a group (all, connected,
// synchronized, bucket, big), or the name soket prints (estab, listen, unconn, ...).
// Words may be given one per argument or several in one ("( sport = :a or sport = :b )").
// Sans-I/O: no name resolution, no sockets.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace soket::proto::sockstat {

// One end of an IPv4 or IPv6 socket, as SocketRecord holds it.
struct Endpoint {
  std::uint8_t family = 0;  // AF_INET or AF_INET6.
  std::array<std::byte, 16> address{};
  std::uint16_t port = 0;
};

class Filter {
 public:
  struct Node;

  // Parses the words; on failure returns nothing and sets `error` to one sentence naming the
  // word that is wrong and what was expected there.
  static std::optional<Filter> parse(std::span<const std::string> words, std::string& error);

  // The states the filter selects, as a sock_diag bit mask; nullopt when it names none.
  std::optional<std::uint32_t> states() const { return states_; }
  // Whether there is an address or port expression (which Unix sockets never match).
  bool has_expression() const { return root_ >= 0; }
  bool matches(const Endpoint& local, const Endpoint& peer) const;

 private:
  bool eval(int node, const Endpoint& local, const Endpoint& peer) const;

  std::optional<std::uint32_t> states_;
  std::vector<Node> nodes_;
  int root_ = -1;
  friend class FilterParser;
};

// A named limit: a filter is typed by a person, so a few hundred words is plenty, and the
// recursive descent stays shallow.
constexpr std::size_t kMaxFilterWords = 512;
constexpr int kMaxFilterDepth = 64;

enum class Op : std::uint8_t { eq, ne, lt, le, gt, ge };
enum class Field : std::uint8_t { sport, dport, src, dst };

struct Filter::Node {
  enum class Kind : std::uint8_t { and_, or_, not_, term } kind = Kind::term;
  int left = -1, right = -1;
  Field field = Field::sport;
  Op op = Op::eq;
  std::uint16_t port = 0;
  bool has_port = false;     // src/dst: an address with ":PORT".
  bool any_address = false;  // src/dst "*".
  std::uint8_t family = 0;   // src/dst.
  std::array<std::byte, 16> address{};
  int prefix = 0;  // Bits of `address` that must match.
};

}  // namespace soket::proto::sockstat
