// Arbitrary bytes as the head of an HTTP/1.1 request (RFC 9112), as a server buffers them.
// Input layout: byte 0 says how many piece lengths follow (0-7); each such byte gives a
// piece length (1-256), used in turn; the rest is the request.
//
// Properties checked, beyond "never a crash":
//  - fed in the pieces the input chooses (the buffer parsed again after each, as a server
//    does, until the first verdict), the verdict and head are those of the whole;
//  - when done, consumed is within the data and the head limit, the head ends in an empty
//    line, there are at most kMaxHeaderFields fields, and parsing exactly data[0..consumed)
//    again gives the same head;
//  - every field name and value is free of CR and LF, so it cannot smuggle a line;
//  - telling a request from a chat line does not depend on where the stream is cut: a first
//    line that looks like a request line could start one at every cut after its first
//    space, and once a start cannot, no longer one looks like a request line.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "proto/http/request_parser.h"

namespace {

using soket::proto::http::could_start_request_line;
using soket::proto::http::kMaxHeaderFields;
using soket::proto::http::kMaxRequestHead;
using soket::proto::http::looks_like_request_line;
using soket::proto::http::parse_request_head;
using soket::proto::http::RequestParse;
using soket::proto::http::RequestStatus;

std::string describe(const RequestParse& p) {
  std::string out = std::to_string(static_cast<int>(p.status));
  if (p.status != RequestStatus::done) return out;
  out += "|" + p.head.method + "|" + p.head.target + "|" + std::to_string(p.head.minor_version);
  for (const auto& [name, value] : p.head.fields) {
    out += "|" + std::to_string(name.size()) + ":" + name + "=" + value;
  }
  return out + "|" + std::to_string(p.consumed);
}

void check(std::string_view data, const RequestParse& p) {
  if (p.status != RequestStatus::done) return;
  if (p.consumed > data.size() || p.consumed > kMaxRequestHead || p.consumed < 4) std::abort();
  if (data.substr(p.consumed - 4, 4) != "\r\n\r\n") std::abort();
  if (p.head.fields.size() > kMaxHeaderFields) std::abort();
  for (const auto& [name, value] : p.head.fields) {
    if (name.find_first_of("\r\n") != std::string::npos) std::abort();
    if (value.find_first_of("\r\n") != std::string::npos) std::abort();
  }
  if (describe(parse_request_head(data.substr(0, p.consumed))) != describe(p)) std::abort();
}

std::string fed_in_pieces(std::string_view request, std::string_view pieces) {
  std::size_t have = 0;
  std::size_t k = 0;
  for (;;) {
    have = std::min(request.size(),
                    have + static_cast<unsigned char>(pieces[k++ % pieces.size()]) + 1u);
    const auto parse = parse_request_head(request.substr(0, have));
    check(request.substr(0, have), parse);
    if (parse.status != RequestStatus::need_more || have == request.size()) {
      return describe(parse);
    }
  }
}

void check_first_line(std::string_view request) {
  const auto line = request.substr(0, std::min(request.find('\n'), std::size_t{512}));
  const auto first_space = line.find(' ');
  if (first_space == std::string_view::npos) return;
  bool could = true;
  for (std::size_t cut = first_space + 1; cut <= line.size(); ++cut) {
    const bool now = could_start_request_line(line.substr(0, cut));
    if (now && !could) std::abort();  // A start that could not become one, then could.
    could = now;
    if (!could && looks_like_request_line(line.substr(0, cut))) std::abort();
  }
  if (looks_like_request_line(line) && !could) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::size_t count = data[0] % 8;
  if (size < 1 + count) return 0;
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  const std::string_view pieces = all.substr(1, count);
  const std::string_view request = all.substr(1 + count);
  const auto whole = parse_request_head(request);
  check(request, whole);
  check_first_line(request);
  if (!pieces.empty() && fed_in_pieces(request, pieces) != describe(whole)) std::abort();
  return 0;
}
