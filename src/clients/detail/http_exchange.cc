#include "clients/detail/http_exchange.h"

#include <netdb.h>

#include <algorithm>
#include <optional>

#include "clients/dns_client.h"
#include "net/deadline_io.h"
#include "proto/http/content_decoder.h"
#include "proto/http/header_values.h"
#include "proto/http/request.h"
#include "proto/http/response_parser.h"
#include "proto/text/ascii.h"

#ifndef SOKET_VERSION
#define SOKET_VERSION "0.0.0"
#endif

namespace soket::clients::detail {
namespace {

double seconds_since(TimePoint start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Collects one response: headers kept (and written first with -i/-I), the body passed on
// (decoded) unless it is a redirect's, a -f failure's, one to be retried, or one that does
// not fit the resumed file.
class Collector final : public proto::http::ResponseHandler {
 public:
  Collector(const HttpOptions& options, BodySink& sink, const ExchangeContext& context)
      : options_(options), sink_(sink), context_(context) {}

  void on_status(int minor, int status, std::string_view reason) override {
    response.status = status;
    context_.report->http_code = status;
    context_.report->http_version = 10 + minor;
    // The reason phrase is shown as it came, less control characters (C0 but tab, and DEL),
    // so that it cannot send escape sequences to a terminal. Header values are clean already:
    // the parser refuses control characters there.
    std::string clean;
    for (const char c : reason) {
      const auto u = static_cast<unsigned char>(c);
      if ((u >= 0x20 || c == '\t') && u != 0x7F) clean += c;
    }
    response.status_line = "HTTP/1." + std::to_string(minor) + " " + std::to_string(status) +
                           (clean.empty() ? "" : " " + clean);
    if (options_.trace) options_.trace("< " + response.status_line);
  }
  void on_header(std::string_view name, std::string_view value) override {
    response.headers.emplace_back(name, value);
    if (options_.trace) options_.trace("< " + std::string(name) + ": " + std::string(value));
  }
  void on_headers_done(std::int64_t length) override {
    progress_.total = length;
    context_.report->content_type = header("Content-Type");
    decide(length);
    if (!skip_headers_ && options_.include_headers) write_head();
    if (options_.compressed && !skip_body_) {
      decoder_.emplace(proto::http::ContentDecoder::coding_of(header("Content-Encoding")));
    }
  }
  void on_body(std::string_view bytes) override {
    progress_.received += bytes.size();
    context_.report->size_download = progress_.received;
    if (options_.progress && !skip_body_) options_.progress(progress_);
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
    if (range_left_ && bytes.size() > *range_left_) {
      // A part without a length (chunked) that runs past its Content-Range: its claimed
      // bytes are kept, nothing past them.
      bytes = bytes.substr(0, *range_left_);
      error = make_error_code(http_errc::bad_content_range);
    }
    if (range_left_) *range_left_ -= bytes.size();
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
  bool stop = false;  // Nothing more of this response is wanted: close the connection.
  bool retry_wanted = false;
  std::error_code error;

 private:
  // What becomes of this response's head and body.
  void decide(std::int64_t length) {
    const int status = response.status;
    if (options_.follow && is_redirect(status)) {
      skip_body_ = true;  // Its headers are shown with -i, as curl -i -L shows them.
      return;
    }
    if (context_.will_retry && is_transient_status(status) && context_.will_retry(response)) {
      retry_wanted = stop = skip_headers_ = skip_body_ = true;
      return;
    }
    if (options_.fail_on_error && status >= 400) {  // As curl -f: not a byte of it.
      stop = skip_headers_ = skip_body_ = true;
      return;
    }
    if (options_.resume_from > 0) check_resume(status, length);
  }

  // -C -: only a 206 that starts where the file ends may be appended to it.
  void check_resume(int status, std::int64_t length) {
    const auto offset = static_cast<std::int64_t>(options_.resume_from);
    const auto range = proto::http::parse_content_range(header("Content-Range"));
    if (status == 206) {
      // The part must start where the file ends, and be as long as it says it is.
      if (!range || range->first != offset ||
          (length >= 0 && range->last - range->first + 1 != length))
        error = make_error_code(http_errc::bad_content_range);
      else
        range_left_ = static_cast<std::uint64_t>(range->last - range->first + 1);
    } else if (status == 416 && range && range->first < 0 && range->complete == offset) {
      response.already_complete = true;  // "bytes */N" with N the file's size: it is whole.
    } else if (status >= 200 && status < 300 && length == offset && !options_.head) {
      response.already_complete = true;  // The whole file, of the size we have (curl's rule).
    } else if (status < 300 || status == 416) {
      error = make_error_code(http_errc::cannot_resume);
    }
    // Any other status keeps its body out of the file too: an error page is no part of it.
    if (error || response.already_complete || status != 206) skip_body_ = stop = true;
  }

  void write_head() {
    std::string head = response.status_line + "\r\n";
    for (const auto& [name, value] : response.headers) head += name + ": " + value + "\r\n";
    head += "\r\n";
    context_.report->size_header += head.size();
    if (auto written = sink_.write(head); !written) error = written.error();
  }

  const HttpOptions& options_;
  BodySink& sink_;
  const ExchangeContext& context_;
  bool skip_body_ = false, skip_headers_ = false;
  std::optional<std::uint64_t> range_left_;  // -C -: bytes the 206 may still append.
  bool decoding_started_ = false;
  std::optional<proto::http::ContentDecoder> decoder_;
  std::string decoded_;
  HttpProgress progress_;
};

bool wanted_family(const net::Address& address, int family) {
  return family == 0 || address.family() == family;
}

Result<std::vector<net::Address>> lookup(const proto::http::Url& url, const HttpOptions& options) {
  for (const auto& entry : options.resolve) {  // --resolve: no lookup at all.
    if (entry.port == url.port && proto::text::iequals(entry.host, url.host)) {
      std::vector<net::Address> found = entry.addresses;
      for (auto& address : found) address.set_port(url.port);
      return found;
    }
  }
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

// The addresses of the URL's host, of the family asked for (-4, -6).
Result<std::vector<net::Address>> addresses_of(const proto::http::Url& url,
                                               const HttpOptions& options) {
  auto found = lookup(url, options);
  if (!found) return found.error();
  std::erase_if(*found, [&](const auto& a) { return !wanted_family(a, options.family); });
  if (found->empty()) return std::error_code(EAI_ADDRFAMILY, net::resolver_category());
  return found;
}

Result<std::unique_ptr<ByteStream>> open_stream(const proto::http::Url& url,
                                                const HttpOptions& options,
                                                const ExchangeContext& context) {
  auto& report = *context.report;
  auto addresses = addresses_of(url, options);
  if (!addresses) return addresses.error();
  report.time_namelookup = seconds_since(context.start);
  const TimePoint own_limit = Clock::now() + options.connect_timeout;
  const TimePoint connect_deadline = std::min(context.deadline, own_limit);
  // A timeout while connecting is --connect-timeout's only when that bound came first.
  auto timed_out = [&](const std::error_code& error) {
    return error == std::errc::timed_out && own_limit <= context.deadline
               ? make_error_code(http_errc::connect_timeout)
               : error;
  };
  auto connected = net::connect_any(*addresses, net::Transport::tcp, connect_deadline);
  if (!connected) return timed_out(connected.error());
  report.time_connect = seconds_since(context.start);
  report.remote_ip = connected->peer.host();
  report.remote_port = connected->peer.port();
  if (!url.https) return plain_stream(std::move(connected->fd));
  auto stream = tls_stream(std::move(connected->fd), url.host, options.tls, connect_deadline);
  if (!stream) return timed_out(stream.error());
  report.time_appconnect = seconds_since(context.start);
  return stream;
}

void trace_request(const HttpOptions& options, const std::string& request) {
  for (std::size_t start = 0, end;
       (end = request.find("\r\n", start)) != std::string::npos && end > start; start = end + 2) {
    options.trace("> " + request.substr(start, end - start));
  }
}

}  // namespace

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

Result<ExchangeResult> exchange(const proto::http::Url& url, const std::string& method,
                                const std::string& body, const Headers& headers,
                                const HttpOptions& options, BodySink& sink,
                                const ExchangeContext& context) {
  auto& report = *context.report;
  report.url_effective = url.to_string();
  report.scheme = url.https ? "HTTPS" : "HTTP";
  report.method = method;
  report.http_code = 0;
  report.size_download = 0;
  auto stream = open_stream(url, options, context);
  if (!stream) return stream.error();
  proto::http::RequestSpec spec{
      method,
      url,
      headers,
      body,
      options.compressed,
      options.user_agent.empty() ? std::string("soket/") + SOKET_VERSION : options.user_agent,
      options.content_type,
      options.accept};
  const std::string request = proto::http::build_request(spec);
  report.size_request += request.size() - body.size();
  report.size_upload += body.size();
  if (options.trace) trace_request(options, request);
  if (auto sent = (*stream)->write_all(as_bytes(request), context.deadline); !sent)
    return sent.error();
  proto::http::ResponseParser parser(method == "HEAD");
  Collector collector(options, sink, context);
  std::string pending;
  std::vector<std::byte> chunk(64 * 1024);
  bool first = true;
  while (!collector.done && !collector.stop) {
    // The deadline bounds the whole try: read_some waits only while nothing is ready,
    // so a server that always has more to send would never meet it there.
    if (Clock::now() >= context.deadline) return std::make_error_code(std::errc::timed_out);
    auto got = (*stream)->read_some(chunk, context.deadline);
    if (!got) return got.error();
    if (first) report.time_starttransfer = seconds_since(context.start);
    first = false;
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
  return ExchangeResult{std::move(collector.response), collector.retry_wanted};
}

}  // namespace soket::clients::detail
