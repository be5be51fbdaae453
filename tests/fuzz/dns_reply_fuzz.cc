// Arbitrary bytes as a DNS reply, and as a DNS-over-TCP stream. Properties, not only survival:
// - a reply parses to a clear error or a message whose counts match what it holds;
// - a message that parses can be printed the way `soket dns` prints it (dig's layout, +short,
//   JSON), and what is printed is plain: printable ASCII, tabs and line ends only, one line
//   per record, so no reply can smuggle a terminal escape or a line of its own into output;
// - every record's rdata, printed in RFC 3597's generic form `\# len HEX`, parses back to the
//   same bytes;
// - the same rdata bytes given to the printer of every type soket knows (DNSKEY, RRSIG, NSEC3,
//   SVCB, LOC, APL...) give a clear error or one plain line, never a throw or a control byte;
// - TcpFramer fed the stream in pieces (sizes taken from the input) ends exactly as fed whole.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "cli/dns_output.h"
#include "proto/dns/message.h"
#include "proto/dns/parser.h"
#include "proto/dns/rdata.h"
#include "proto/dns/tcp_framer.h"

namespace {

using namespace soket;

void require(bool property) {
  if (!property) std::abort();
}

bool plain(const std::string& text) {
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 || u > 0x7E) && c != '\t' && c != '\n') return false;
  }
  return true;
}

// Lines that are records in dig's layout: neither empty nor a ';' comment.
std::size_t record_lines(const std::string& text) {
  std::size_t count = 0, start = 0;
  for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    if (end > start && text[start] != ';') ++count;
  }
  return count;
}

// The types with a printer of their own, and a few without (printed generically).
constexpr std::uint16_t kTypes[] = {
    1,  2,   3,   5,   6,   7,   10,  11,  12,  13,  14,  15,  16,  17,   18,    19,   20,
    21, 24,  25,  26,  27,  28,  29,  33,  35,  36,  37,  39,  42,  43,   44,    45,   46,
    47, 48,  49,  50,  51,  52,  53,  56,  57,  58,  59,  60,  61,  62,   63,    64,   65,
    99, 100, 101, 102, 104, 105, 106, 107, 108, 109, 256, 257, 258, 4321, 32768, 32769};

void check_rdata(std::span<const std::byte> rdata) {
  const std::string generic = proto::dns::generic_rdata_text(rdata);
  require(plain(generic) && generic.find('\n') == std::string::npos);
  auto again = proto::dns::parse_generic_rdata(generic);
  require(again && std::equal(again->begin(), again->end(), rdata.begin(), rdata.end()));
  for (const std::uint16_t rtype : kTypes) {
    auto text = proto::dns::rdata_text(rtype, rdata, 0, rdata.size());
    if (!text) {
      require(text.error().category() == proto::dns::error_category());
      continue;
    }
    require(plain(*text) && text->find('\n') == std::string::npos);
  }
}

void check_reply(std::span<const std::byte> bytes) {
  auto message = proto::dns::parse_message(bytes);
  if (!message) {
    require(message.error().category() == proto::dns::error_category());
    return;
  }
  const auto& h = message->header;
  require(message->questions.size() == h.qdcount && message->answers.size() == h.ancount &&
          message->authority.size() == h.nscount && message->additional.size() <= h.arcount);
  const std::size_t records =
      message->answers.size() + message->authority.size() + message->additional.size();
  clients::DnsOutcome outcome{clients::DnsResponse{
      *message, net::Transport::udp, std::chrono::milliseconds(1), bytes.size(), false}};
  const cli::DnsShown shown{"fuzz.test", "127.0.0.1#53(127.0.0.1)"};
  const std::string dig = cli::dig_text(*outcome.response, shown);
  require(plain(dig) && record_lines(dig) == records);
  const std::string short_form = cli::short_text(*outcome.response);
  require(plain(short_form) && record_lines(short_form) == message->answers.size());
  const std::string json = cli::json_text({"fuzz.test", 1, 1}, outcome, shown);
  require(plain(json) && json.find('\n') == json.size() - 1);
  for (const auto* section : {&message->answers, &message->authority, &message->additional}) {
    for (const auto& record : *section) check_rdata(record.rdata);
  }
}

void check_framer(std::span<const std::byte> stream) {
  proto::dns::TcpFramer whole, pieces;
  const std::size_t used_whole = whole.feed(stream);
  std::size_t used = 0;
  for (std::size_t i = 0; used < stream.size() && !pieces.complete(); ++i) {
    const std::size_t size = 1 + std::to_integer<std::size_t>(stream[i % stream.size()]) % 7;
    const auto piece = stream.subspan(used, std::min(size, stream.size() - used));
    const std::size_t took = pieces.feed(piece);
    require(took <= piece.size() && (took == piece.size() || pieces.complete()));
    used += took;
  }
  require(used == used_whole && whole.complete() == pieces.complete() &&
          whole.received() == pieces.received() && whole.received() == used_whole &&
          whole.expected() == pieces.expected());
  const auto a = whole.message(), b = pieces.message();
  require(std::equal(a.begin(), a.end(), b.begin(), b.end()));
  if (whole.complete()) {
    require(whole.wanted() == 0 && a.size() == *whole.expected());
    check_reply(a);
  } else {
    require(used_whole == stream.size() && whole.wanted() > 0);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto bytes = std::as_bytes(std::span(data, size));
  check_reply(bytes);
  if (!bytes.empty()) check_framer(bytes);
  return 0;
}
