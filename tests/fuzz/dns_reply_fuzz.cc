// Arbitrary bytes as a DNS reply: a clear error or a message, never a crash or an overread;
// and whatever parses, its counts match what it holds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "proto/dns/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto message = soket::proto::dns::parse_message(std::as_bytes(std::span(data, size)));
  if (message) {
    const auto& h = message->header;
    if (message->questions.size() != h.qdcount || message->answers.size() != h.ancount ||
        message->authority.size() != h.nscount) {
      std::abort();
    }
  }
  return 0;
}
