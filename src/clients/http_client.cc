#include "clients/http_client.h"

#include <netdb.h>

#include <algorithm>
#include <ctime>
#include <thread>

#include "clients/detail/http_exchange.h"
#include "core/error_category.h"
#include "net/resolver.h"
#include "proto/http/header_values.h"
#include "proto/http/request.h"
#include "proto/text/ascii.h"

namespace soket::clients {
namespace {

using detail::Headers;

// Retry-After is honoured up to this (curl's longest backoff), or --retry-max-time if less.
constexpr auto kMaxRetryWait = std::chrono::minutes(10);

const char* describe(http_errc code) {
  switch (code) {
    case http_errc::too_many_redirects:
      return "too many redirects (a redirect loop?)";
    case http_errc::bad_redirect:
      return "a redirect without a usable Location";
    case http_errc::short_body:
      return "the body ended before its Content-Length";
    case http_errc::bad_encoding:
      return "the body does not decode as its Content-Encoding";
    case http_errc::truncated_encoding:
      return "the compressed body ended before its end of stream";
    case http_errc::connect_timeout:
      return "no connection within --connect-timeout";
    case http_errc::bad_content_range:
      return "the server's Content-Range does not start where the file ends";
    case http_errc::cannot_resume:
      return "the server does not support byte ranges, so the download cannot resume";
  }
  return "HTTP client error";
}

bool is_credential(std::string_view name) {
  return proto::text::iequals(name, "Authorization") ||
         proto::text::iequals(name, "Proxy-Authorization") || proto::text::iequals(name, "Cookie");
}

bool given(const HttpOptions& options, std::string_view name) {
  return std::any_of(options.headers.begin(), options.headers.end(),
                     [&](const auto& h) { return proto::text::iequals(h.first, name); });
}

// The headers for a request to `url`: all of them on the first URL's origin; elsewhere,
// none that carry credentials (the user meant them for that origin alone).
Headers headers_for(const proto::http::Url& url, const proto::http::Url& origin,
                    const HttpOptions& options) {
  const bool trusted = proto::http::same_origin(url, origin);
  Headers headers;
  if (trusted && !options.user.empty() && !given(options, "Authorization")) {
    headers.emplace_back("Authorization", proto::http::basic_authorization(options.user));
  }
  if (!given(options, "Range")) {
    if (options.resume_from > 0) {
      headers.emplace_back("Range", "bytes=" + std::to_string(options.resume_from) + "-");
    } else if (!options.range.empty()) {
      headers.emplace_back("Range", "bytes=" + options.range);
    }
  }
  for (const auto& header : options.headers) {
    if (trusted || !is_credential(header.first)) headers.push_back(header);
  }
  return headers;
}

// One try: the request, and the redirects after it when following.
Result<detail::ExchangeResult> fetch_once(const proto::http::Url& start, const HttpOptions& options,
                                          BodySink& sink, const detail::ExchangeContext& context) {
  proto::http::Url url = start, previous = start;
  std::string method = options.head ? "HEAD" : options.method;
  std::string body = options.body;
  context.report->num_redirects = 0;
  for (int redirects = 0;; ++redirects) {
    Headers headers = headers_for(url, start, options);
    if (options.auto_referer && redirects > 0) {
      std::erase_if(headers,
                    [](const auto& h) { return proto::text::iequals(h.first, "Referer"); });
      headers.emplace_back("Referer", previous.to_string());
    }
    auto result = detail::exchange(url, method, body, headers, options, sink, context);
    if (!result) return result;
    std::string location;
    for (const auto& [name, value] : result->response.headers) {
      if (proto::text::iequals(name, "Location")) location = value;
    }
    auto next = proto::http::resolve_location(url, location);
    if (!options.follow || !detail::is_redirect(result->response.status)) {
      // %{redirect_url}: where a redirect not followed would have led, as curl reports it.
      context.report->redirect_url.clear();
      if (detail::is_redirect(result->response.status) && !location.empty() && next)
        context.report->redirect_url = next->to_string();
      return result;
    }
    if (redirects >= options.max_redirects) return make_error_code(http_errc::too_many_redirects);
    if (location.empty() || !next) return make_error_code(http_errc::bad_redirect);
    // RFC 9110 section 15.4: 303 turns anything but HEAD into GET; 301 and 302 turn POST into
    // GET, as browsers and curl do; 307 and 308 keep the method and the body.
    const int status = result->response.status;
    if ((status == 303 && method != "HEAD") ||
        ((status == 301 || status == 302) && method == "POST")) {
      method = "GET";
      body.clear();
    }
    previous = url;
    url = *next;
    context.report->num_redirects = redirects + 1;
  }
}

// How long to wait before the next try: Retry-After when the server gave one, within
// bounds; else --retry-delay; else curl's backoff (1 s, doubled each time).
Duration retry_wait(const HttpResponse* response, const RetryOptions& retry, Duration backoff) {
  if (response != nullptr) {
    for (const auto& [name, value] : response->headers) {
      if (!proto::text::iequals(name, "Retry-After")) continue;
      const auto cap = std::chrono::duration_cast<std::chrono::seconds>(
          retry.max_time > Duration::zero() ? std::min<Duration>(retry.max_time, kMaxRetryWait)
                                            : Duration(kMaxRetryWait));
      if (auto seconds = proto::http::parse_retry_after(value, std::time(nullptr), cap.count()))
        return std::chrono::seconds(*seconds);
    }
  }
  return retry.delay > Duration::zero() ? retry.delay : backoff;
}

// Counts what reaches the caller's sink, so a retry knows whether it must take bytes back.
class CountingSink final : public BodySink {
 public:
  explicit CountingSink(BodySink& inner) : inner_(inner) {}
  Result<void> write(std::string_view bytes) override {
    written += bytes.size();
    return inner_.write(bytes);
  }
  bool rewind() override {
    if (!inner_.rewind()) return false;
    written = 0;
    return true;
  }
  std::uint64_t written = 0;

 private:
  BodySink& inner_;
};

}  // namespace

const std::error_category& http_error_category() {
  static const EnumErrorCategory<http_errc> category("http client", describe);
  return category;
}

std::error_code make_error_code(http_errc e) {
  return {static_cast<int>(e), http_error_category()};
}

bool is_transient_status(int status) {
  return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 ||
         status == 504;
}

bool is_transient(const std::error_code& error, const RetryOptions& retry) {
  if (retry.all_errors) return true;
  if (error == std::errc::timed_out || error == http_errc::connect_timeout) return true;
  if (net::is_host_not_found(error)) return true;  // curl retries these too.
  return retry.connection_refused && error == std::errc::connection_refused;
}

Result<HttpResponse> fetch(const proto::http::Url& start, const HttpOptions& options,
                           BodySink& sink, proto::http::TransferReport* report) {
  proto::http::TransferReport local;
  if (report == nullptr) report = &local;
  report->url = start.to_string();
  const TimePoint begin = Clock::now();
  Duration backoff = std::chrono::seconds(1);
  CountingSink counted(sink);
  for (int attempt = 0;; ++attempt) {
    const int left = options.retry.count - attempt;
    // A retry happens only when it fits --retry-max-time and what was written (the heads of
    // redirects, with -i) can be taken back, or it would be written twice.
    auto allowed = [&](Duration wait) {
      const auto& bound = options.retry.max_time;
      if (left <= 0 || (bound > Duration::zero() && Clock::now() + wait - begin > bound))
        return false;
      return counted.written == 0 || counted.rewind();
    };
    detail::ExchangeContext context{begin, Clock::now() + options.timeout, {}, report};
    context.will_retry = [&](const HttpResponse& response) {
      return allowed(retry_wait(&response, options.retry, backoff));
    };
    auto result = fetch_once(start, options, counted, context);
    report->time_total = std::chrono::duration<double>(Clock::now() - begin).count();
    if (report->time_total > 0)
      report->speed_download = static_cast<double>(report->size_download) / report->time_total;
    RetryNotice notice{"", retry_wait(result ? &result->response : nullptr, options.retry, backoff),
                       left - 1};
    if (result && result->retry_wanted) {
      notice.reason = "HTTP " + std::to_string(result->response.status);
    } else if (!result && is_transient(result.error(), options.retry) && allowed(notice.wait)) {
      notice.reason = result.error().message();
    } else {
      if (!result) return result.error();
      return std::move(result->response);
    }
    backoff = std::min<Duration>(backoff * 2, kMaxRetryWait);
    report->size_header = 0;
    if (options.on_retry) options.on_retry(notice);
    std::this_thread::sleep_for(notice.wait);  // Bounded: at most kMaxRetryWait.
  }
}

}  // namespace soket::clients
