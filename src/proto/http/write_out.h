// `-w FORMAT` as curl writes it: %{variable} for the transfer's numbers, %% for '%', and
// the escapes \n, \r, \t and \\ (any other backslash stays as it is, as in curl). %{stdout}
// and %{stderr} switch where the rest goes. An unknown %{name} expands to nothing and is
// named in `unknown`, so the caller can warn as curl does.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace soket::proto::http {

struct TransferReport {
  int http_code = 0;  // 0 when no response came ("000", as curl).
  int num_redirects = 0;
  int exitcode = 0;
  std::string errormsg;
  double time_namelookup = 0, time_connect = 0, time_appconnect = 0, time_starttransfer = 0,
         time_total = 0, time_redirect = 0;  // Seconds since the start.
  std::uint64_t size_download = 0, size_header = 0, size_request = 0, size_upload = 0;
  double speed_download = 0;  // Bytes per second.
  std::string url, url_effective, content_type, redirect_url, remote_ip, scheme, method;
  int remote_port = 0;
  std::string local_ip;
  int local_port = 0;
  int http_version = 0;  // 10 or 11 (curl prints "1.1").
};

struct WriteOutText {
  std::string out, err;              // What goes to stdout and to stderr.
  std::vector<std::string> unknown;  // Variable names curl would warn about.
};

WriteOutText expand_write_out(std::string_view format, const TransferReport& report);

}  // namespace soket::proto::http
