// How `soket http` words its failures: one line each, with the exit code of its cause.
#pragma once

#include <string>
#include <system_error>

#include "cli/failure.h"
#include "proto/http/write_out.h"

namespace soket::cli {

struct FailureTimes {
  double connect_timeout = 30;  // --connect-timeout, seconds.
  double max_time = 86400;      // --max-time, seconds.
};

// A failed fetch of `url`; `report` gives the time actually waited.
Failure fetch_failure(const std::error_code& error, const std::string& url,
                      const FailureTimes& times, const proto::http::TransferReport& report);

}  // namespace soket::cli
