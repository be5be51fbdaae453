#include "proto/http/request.h"

#include "proto/text/ascii.h"

#include <algorithm>
#include <cctype>

namespace soket::proto::http {
namespace {}  // namespace

std::string build_request(const RequestSpec& spec) {
  auto given = [&](std::string_view name) {
    return std::any_of(spec.headers.begin(), spec.headers.end(),
                       [&](const auto& h) { return text::iequals(h.first, name); });
  };
  std::string out = spec.method + " " + spec.url.target + " HTTP/1.1\r\n";
  auto add = [&](std::string_view name, std::string_view value) {
    if (!given(name)) out.append(name).append(": ").append(value).append("\r\n");
  };
  add("Host", spec.url.authority());
  add("User-Agent", spec.user_agent);
  add("Accept", "*/*");
  if (spec.compressed) add("Accept-Encoding", "gzip, deflate");
  add("Connection", "close");
  if (!spec.body.empty() || spec.method == "POST" || spec.method == "PUT") {
    add("Content-Length", std::to_string(spec.body.size()));
  }
  for (const auto& [name, value] : spec.headers)
    out.append(name).append(": ").append(value).append("\r\n");
  out.append("\r\n").append(spec.body);
  return out;
}

}  // namespace soket::proto::http
