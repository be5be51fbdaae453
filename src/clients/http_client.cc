#include "clients/http_client.h"
#include "core/error_category.h"

#include <algorithm>
#include <cctype>

#include <netdb.h>

#include "clients/dns_client.h"
#include "net/deadline_io.h"
#include "proto/http/content_decoder.h"
#include "proto/http/request.h"
#include "proto/http/response_parser.h"
#include "proto/text/ascii.h"

#ifndef SOKET_VERSION
#define SOKET_VERSION "0.0.0"
#endif

namespace soket::clients {
namespace {

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
  }
  return "HTTP client error";
}

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// Collects one response: headers kept, body passed on (decoded) unless it is a redirect's.
class Collector final : public proto::http::ResponseHandler {
 public:
  Collector(const HttpOptions& options, BodySink& sink) : options_(options), sink_(sink) {}

  void on_status(int minor, int status, std::string_view reason) override {
    response.status = status;
    response.status_line = "HTTP/1." + std::to_string(minor) + " " + std::to_string(status) +
                           (reason.empty() ? "" : " " + std::string(reason));
    if (options_.trace) options_.trace("< " + response.status_line);
  }
  void on_header(std::string_view name, std::string_view value) override {
    response.headers.emplace_back(name, value);
    if (options_.trace) options_.trace("< " + std::string(name) + ": " + std::string(value));
  }
  void on_headers_done(std::int64_t length) override {
    progress_.total = length;
    skip_body_ = options_.follow && is_redirect(response.status);
    if (options_.compressed) {
      decoder_.emplace(proto::http::ContentDecoder::coding_of(header("Content-Encoding")));
    }
  }
  void on_body(std::string_view bytes) override {
    progress_.received += bytes.size();
    if (options_.progress) options_.progress(progress_);
    if (skip_body_ || error) return;
    if (decoder_) {
      decoding_started_ = true;
      decoded_.clear();
      if (!decoder_->decode(bytes, decoded_)) {
        error = make_error_code(http_errc::bad_encoding);
        return;
      }
      bytes = decoded_;
    }
    response.body_bytes += bytes.size();
    if (auto written = sink_.write(bytes); !written) error = written.error();
  }
  void on_done() override { done = true; }
  // A compressed body is complete only at its decoder's end of stream, whatever framed it
  // (a close, a Content-Length, a last chunk). An empty body (204, HEAD) has nothing to end.
  bool encoding_incomplete() const {
    return decoder_ && decoding_started_ && !skip_body_ && !decoder_->finished();
  }

  std::string header(std::string_view name) const {
    for (const auto& [n, v] : response.headers) {
      if (proto::text::iequals(n, name)) return v;
    }
    return {};
  }

  HttpResponse response;
  bool done = false;
  std::error_code error;

 private:
  const HttpOptions& options_;
  BodySink& sink_;
  bool skip_body_ = false;
  bool decoding_started_ = false;
  std::optional<proto::http::ContentDecoder> decoder_;
  std::string decoded_;
  HttpProgress progress_;
};

Result<std::vector<net::Address>> addresses_of(const proto::http::Url& url,
                                               const HttpOptions& options) {
  if (!options.dns_server) return net::resolve(url.host, url.port, net::Transport::tcp);
  // The seed's program: resolve with our own DNS client, then connect.
  if (auto literal = net::Address::parse(url.host, url.port))
    return std::vector<net::Address>{*literal};
  std::vector<net::Address> found;
  std::error_code last = std::make_error_code(std::errc::address_not_available);
  for (const auto qtype : {proto::dns::type::a, proto::dns::type::aaaa}) {
    auto reply =
        query_dns(*options.dns_server, {url.host, qtype}, DnsOptions{options.connect_timeout, 2});
    if (!reply) {
      last = reply.error();
      continue;
    }
    for (const auto& record : reply->message.answers) {
      if (record.type != qtype) continue;
      if (auto address = net::Address::parse(record.data, url.port)) found.push_back(*address);
    }
  }
  if (!found.empty()) return found;
  // No record at all reads as the system resolver's "name not known", for the same message.
  if (last == std::errc::address_not_available)
    return std::error_code(EAI_NONAME, net::resolver_category());
  return last;
}

Result<std::unique_ptr<ByteStream>> open_stream(const proto::http::Url& url,
                                                const HttpOptions& options, TimePoint deadline) {
  auto addresses = addresses_of(url, options);
  if (!addresses) return addresses.error();
  const TimePoint connect_deadline = std::min(deadline, Clock::now() + options.connect_timeout);
  auto connected = net::connect_any(*addresses, net::Transport::tcp, connect_deadline);
  if (!connected) return connected.error();
  if (!url.https) return plain_stream(std::move(connected->fd));
  return tls_stream(std::move(connected->fd), url.host, options.tls, connect_deadline);
}

using Headers = std::vector<std::pair<std::string, std::string>>;

// One request, one response, on a connection of its own.
Result<HttpResponse> exchange(const proto::http::Url& url, const std::string& method,
                              const std::string& body, const Headers& headers,
                              const HttpOptions& options, BodySink& sink, TimePoint deadline) {
  auto stream = open_stream(url, options, deadline);
  if (!stream) return stream.error();
  proto::http::RequestSpec spec{
      method, url, headers, body, options.compressed, std::string("soket/") + SOKET_VERSION};
  const std::string request = proto::http::build_request(spec);
  if (options.trace) {
    for (std::size_t start = 0, end;
         (end = request.find("\r\n", start)) != std::string::npos && end > start; start = end + 2) {
      options.trace("> " + request.substr(start, end - start));
    }
  }
  if (auto sent = (*stream)->write_all(as_bytes(request), deadline); !sent) return sent.error();
  proto::http::ResponseParser parser(method == "HEAD");
  Collector collector(options, sink);
  std::string pending;
  std::vector<std::byte> chunk(64 * 1024);
  while (!collector.done) {
    // The deadline bounds the whole transfer: read_some waits only while nothing is ready,
    // so a server that always has more to send would never meet it there.
    if (Clock::now() >= deadline) return std::make_error_code(std::errc::timed_out);
    auto got = (*stream)->read_some(chunk, deadline);
    if (!got) return got.error();
    if (*got == 0) {
      if (auto end = parser.finish_at_eof(collector); !end) {
        if (end.error() == proto::http::errc::truncated_body && collector.response.status > 0) {
          return make_error_code(http_errc::short_body);
        }
        return end.error();
      }
      break;
    }
    pending.append(as_text(std::span(chunk).first(*got)));
    auto used = parser.feed(pending, collector);
    if (!used) return used.error();
    pending.erase(0, *used);
    if (collector.error) return collector.error;
  }
  if (collector.error) return collector.error;
  if (collector.encoding_incomplete()) return make_error_code(http_errc::truncated_encoding);
  collector.response.url = url;
  return std::move(collector.response);
}

bool is_credential(std::string_view name) {
  return proto::text::iequals(name, "Authorization") ||
         proto::text::iequals(name, "Proxy-Authorization") || proto::text::iequals(name, "Cookie");
}

// The headers for a request to `url`: all of them on the first URL's origin; elsewhere,
// none that carry credentials (the user meant them for that origin alone).
Headers headers_for(const proto::http::Url& url, const proto::http::Url& origin,
                    const HttpOptions& options) {
  const bool trusted = proto::http::same_origin(url, origin);
  Headers headers;
  const bool custom = std::any_of(options.headers.begin(), options.headers.end(), [](auto& h) {
    return proto::text::iequals(h.first, "Authorization");
  });
  if (trusted && !options.user.empty() && !custom) {  // As curl: -H Authorization wins.
    headers.emplace_back("Authorization", proto::http::basic_authorization(options.user));
  }
  for (const auto& header : options.headers) {
    if (trusted || !is_credential(header.first)) headers.push_back(header);
  }
  return headers;
}

}  // namespace

const std::error_category& http_error_category() {
  static const EnumErrorCategory<http_errc> category("http client", describe);
  return category;
}

std::error_code make_error_code(http_errc e) {
  return {static_cast<int>(e), http_error_category()};
}

Result<HttpResponse> fetch(const proto::http::Url& start, const HttpOptions& options,
                           BodySink& sink) {
  const TimePoint deadline = Clock::now() + options.timeout;
  proto::http::Url url = start;
  std::string method = options.head ? "HEAD" : options.method;
  std::string body = options.body;
  for (int redirects = 0;; ++redirects) {
    auto response =
        exchange(url, method, body, headers_for(url, start, options), options, sink, deadline);
    if (!response || !options.follow || !is_redirect(response->status)) return response;
    if (redirects >= options.max_redirects) return make_error_code(http_errc::too_many_redirects);
    std::string location;
    for (const auto& [name, value] : response->headers) {
      if (proto::text::iequals(name, "Location")) location = value;
    }
    auto next = proto::http::resolve_location(url, location);
    if (location.empty() || !next) return make_error_code(http_errc::bad_redirect);
    // RFC 9110 section 15.4: 303 turns anything but HEAD into GET; 301 and 302 turn POST into
    // GET, as browsers and curl do; 307 and 308 keep the method and the body.
    const int status = response->status;
    if ((status == 303 && method != "HEAD") ||
        ((status == 301 || status == 302) && method == "POST")) {
      method = "GET";
      body.clear();
    }
    url = *next;
  }
}

}  // namespace soket::clients
