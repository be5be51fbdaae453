// One HTTP request and its response on a connection of its own: the part of the HTTP client
// below redirects and retries (http_client.cc holds those).
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "clients/http_client.h"
#include "core/clock.h"
#include "proto/http/url.h"
#include "proto/http/write_out.h"

namespace soket::clients::detail {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct ExchangeContext {
  TimePoint start;     // Of the whole fetch, for the report's times.
  TimePoint deadline;  // Of this try.
  // Whether a response of a transient status will be tried again (then nothing of it is
  // written); asked once its headers are in. Empty: never.
  std::function<bool(const HttpResponse&)> will_retry;
  proto::http::TransferReport* report;
};

struct ExchangeResult {
  HttpResponse response;
  bool retry_wanted = false;  // A transient status, left unwritten for the retry.
};

Result<ExchangeResult> exchange(const proto::http::Url& url, const std::string& method,
                                const std::string& body, const Headers& headers,
                                const HttpOptions& options, BodySink& sink,
                                const ExchangeContext& context);

bool is_redirect(int status);

}  // namespace soket::clients::detail
