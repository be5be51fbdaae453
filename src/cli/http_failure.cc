#include "cli/http_failure.h"

#include <fmt/core.h>

#include "clients/byte_stream.h"
#include "clients/http_client.h"
#include "net/output_file.h"
#include "proto/http/response_parser.h"

namespace soket::cli {
namespace {

std::string seconds_text(double seconds) {
  return fmt::format("{:.2f} s", seconds);
}

}  // namespace

Failure fetch_failure(const std::error_code& error, const std::string& url,
                      const FailureTimes& times, const proto::http::TransferReport& report) {
  if (error.category() == proto::http::error_category()) {
    return {kExitMalformedReply,
            fmt::format("malformed response from {}: {}", url, error.message())};
  }
  if (error == clients::http_errc::short_body || error == clients::http_errc::truncated_encoding) {
    return {kExitShortBody,
            fmt::format("{}: {}; the transfer is incomplete", url, error.message())};
  }
  if (error == clients::http_errc::too_many_redirects ||
      error == clients::http_errc::bad_redirect) {
    return {kExitTooManyRedirects, fmt::format("{}: {}", url, error.message())};
  }
  if (error == clients::http_errc::connect_timeout) {
    return {kExitTimedOut,
            fmt::format("could not connect to {} within {:g} s, the --connect-timeout (waited "
                        "{}); check that the server is up, or allow more with --connect-timeout",
                        url, times.connect_timeout, seconds_text(report.time_total))};
  }
  if (error == std::errc::timed_out) {
    return {kExitTimedOut,
            fmt::format("{} did not finish within {:g} s, the --max-time (stopped after {}); "
                        "allow more with --max-time",
                        url, times.max_time, seconds_text(report.time_total))};
  }
  if (error == clients::http_errc::bad_content_range) {
    return {kExitMalformedReply,
            fmt::format("{}: {}; the file was left as it was", url, error.message())};
  }
  if (error == clients::http_errc::cannot_resume) {
    return {kExitFailure, fmt::format("{}: {}; the file was left as it was (drop -C to fetch it "
                                      "whole)",
                                      url, error.message())};
  }
  if (error.category() == clients::tls_error_category()) {
    return {kExitTls, fmt::format("TLS with {} failed: {}{}", url, error.message(),
                                  error == clients::tls_errc::handshake
                                      ? ""
                                      : " (use -k to skip verification, or --cacert FILE)")};
  }
  if (error.category() == clients::http_error_category()) {
    return {kExitMalformedReply, fmt::format("{}: {}", url, error.message())};
  }
  if (error.category() == net::output_error_category() || error == std::errc::no_space_on_device) {
    return {kExitFailure, fmt::format("cannot write the output: {}", error.message())};
  }
  return client_failure(error, url, from_seconds(times.max_time));
}

}  // namespace soket::cli
