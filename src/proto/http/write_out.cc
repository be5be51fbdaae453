#include "proto/http/write_out.h"

#include <fmt/core.h>

#include <optional>

namespace soket::proto::http {
namespace {

// One variable's text, or nothing when curl does not know the name either.
std::optional<std::string> variable(std::string_view name, const TransferReport& r) {
  auto seconds = [](double value) { return fmt::format("{:.6f}", value); };
  if (name == "http_code" || name == "response_code") return fmt::format("{:03d}", r.http_code);
  if (name == "num_redirects") return std::to_string(r.num_redirects);
  if (name == "exitcode") return std::to_string(r.exitcode);
  if (name == "errormsg") return r.errormsg;
  if (name == "time_namelookup") return seconds(r.time_namelookup);
  if (name == "time_connect") return seconds(r.time_connect);
  if (name == "time_appconnect") return seconds(r.time_appconnect);
  if (name == "time_pretransfer")
    return seconds(r.time_appconnect > 0 ? r.time_appconnect : r.time_connect);
  if (name == "time_starttransfer") return seconds(r.time_starttransfer);
  if (name == "time_redirect") return seconds(r.time_redirect);
  if (name == "time_total") return seconds(r.time_total);
  if (name == "size_download") return std::to_string(r.size_download);
  if (name == "size_header") return std::to_string(r.size_header);
  if (name == "size_request") return std::to_string(r.size_request);
  if (name == "size_upload") return std::to_string(r.size_upload);
  if (name == "speed_download") return fmt::format("{:.0f}", r.speed_download);
  if (name == "url") return r.url;
  if (name == "url_effective") return r.url_effective;
  if (name == "content_type") return r.content_type;
  if (name == "redirect_url") return r.redirect_url;
  if (name == "remote_ip") return r.remote_ip;
  if (name == "remote_port") return r.remote_port ? std::to_string(r.remote_port) : "";
  if (name == "local_ip") return r.local_ip;
  if (name == "local_port") return r.local_port ? std::to_string(r.local_port) : "";
  if (name == "scheme") return r.scheme;
  if (name == "method") return r.method;
  if (name == "http_version")
    return r.http_version ? fmt::format("{}.{}", r.http_version / 10, r.http_version % 10) : "0";
  return std::nullopt;
}

}  // namespace

WriteOutText expand_write_out(std::string_view format, const TransferReport& report) {
  WriteOutText text;
  std::string* to = &text.out;
  for (std::size_t i = 0; i < format.size(); ++i) {
    const char c = format[i];
    const char next = i + 1 < format.size() ? format[i + 1] : '\0';
    if (c == '%' && next == '%') {
      *to += '%';
      ++i;
    } else if (c == '%' && next == '{' && format.find('}', i) != std::string_view::npos) {
      const auto close = format.find('}', i);
      const std::string_view name = format.substr(i + 2, close - i - 2);
      i = close;
      if (name == "stdout") {
        to = &text.out;
      } else if (name == "stderr") {
        to = &text.err;
      } else if (auto value = variable(name, report)) {
        *to += *value;
      } else {
        text.unknown.emplace_back(name);
      }
    } else if (c == '\\' && (next == 'n' || next == 'r' || next == 't' || next == '\\')) {
      *to += next == 'n' ? '\n' : next == 'r' ? '\r' : next == 't' ? '\t' : '\\';
      ++i;
    } else {
      *to += c;
    }
  }
  return text;
}

}  // namespace soket::proto::http
