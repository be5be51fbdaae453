// soket http: an HTTP/1.1 client over TCP and TLS (seed 002, part D).
#include <fcntl.h>
#include <fmt/core.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "cli/commands.h"
#include "cli/failure.h"
#include "cli/option_checks.h"
#include "clients/http_client.h"
#include "core/log.h"
#include "proto/http/response_parser.h"

namespace soket::cli {
namespace {

struct HttpFlags {
  std::string url;
  std::string output;
  bool head = false, follow = false, fail = false, compressed = false, insecure = false;
  bool verbose = false;
  int max_redirects = 10;
  std::vector<std::string> headers;
  std::string method;
  std::string user;
  std::string data;
  std::string cacert;
  double connect_timeout = 30, timeout = 0;
  std::string dns_server;
};

class StdoutSink final : public clients::BodySink {
 public:
  Result<void> write(std::string_view bytes) override {
    if (std::fwrite(bytes.data(), 1, bytes.size(), stdout) != bytes.size())
      return last_system_error();
    return {};
  }
};

// The file mode a new file gets from open(2) with 0666: the user's umask decides, as for
// curl and the shell's `>`. (umask(2) can only be read by setting it; soket http runs one
// thread, so putting it straight back is safe.)
mode_t new_file_mode() {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return 0666 & ~mask;
}

// A regular FILE (or none yet) gets the body in a temporary file beside it, renamed to FILE
// only once complete: a failed transfer never leaves a truncated FILE. Anything else that
// exists (a FIFO, a device such as /dev/null, a socket) is written in place, as curl does:
// renaming over it would replace the device or pipe with a regular file.
class FileSink final : public clients::BodySink {
 public:
  explicit FileSink(std::string path)
      : path_(std::move(path)), temporary_(path_ + ".soket-XXXXXX") {
    struct stat status {};
    const bool exists = ::stat(path_.c_str(), &status) == 0;
    if (exists && !S_ISREG(status.st_mode)) {
      in_place_ = true;  // A directory fails here with EISDIR, which says it well.
      fd_ = ::open(path_.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
    } else {
      // A file replaced keeps its permission bits, as one truncated in place would.
      mode_ = exists ? (status.st_mode & 0777) : new_file_mode();
      fd_ = ::mkstemp(temporary_.data());  // Mode 0600 until commit() sets mode_.
    }
  }
  ~FileSink() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_ && !in_place_) ::unlink(temporary_.c_str());
  }
  bool opened() const { return fd_ >= 0; }
  Result<void> write(std::string_view bytes) override {
    while (!bytes.empty()) {
      const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return last_system_error();
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
  }
  Result<void> commit() {
    if (!in_place_ && ::fchmod(fd_, mode_) != 0) return last_system_error();
    if (::close(std::exchange(fd_, -1)) != 0) return last_system_error();
    if (!in_place_ && ::rename(temporary_.c_str(), path_.c_str()) != 0) return last_system_error();
    committed_ = true;
    return {};
  }

 private:
  std::string path_, temporary_;
  int fd_ = -1;
  mode_t mode_ = 0;
  bool in_place_ = false, committed_ = false;
};

// Server text for a terminal (status line, headers, a redirect's URL): control characters
// (C0 but tab, and DEL) are dropped, so that a reason phrase cannot send ESC sequences or
// BEL to the user's terminal. Bytes of 0x80 and above pass (UTF-8).
std::string terminal_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7F) continue;
    out += c;
  }
  return out;
}

std::string size_text(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  return fmt::format("{:.1f} {}", bytes, units[unit]);
}

// "  12.0 MiB of 20.0 MiB  60%  45.3 MiB/s  ETA 0:01", at most ten times a second.
auto progress_bar() {
  return [start = Clock::now(), last = TimePoint{}](const clients::HttpProgress& p) mutable {
    const TimePoint now = Clock::now();
    const bool finished = p.total >= 0 && p.received >= static_cast<std::uint64_t>(p.total);
    if (now - last < std::chrono::milliseconds(100) && !finished) return;
    last = now;
    const double seconds = std::max(1e-3, std::chrono::duration<double>(now - start).count());
    const double rate = static_cast<double>(p.received) / seconds;
    std::string line = "\r  " + size_text(static_cast<double>(p.received));
    if (p.total > 0) {
      const double left =
          (static_cast<double>(p.total) - static_cast<double>(p.received)) / std::max(rate, 1.0);
      line += fmt::format(
          " of {}  {:3.0f}%  {}/s  ETA {}:{:02}", size_text(static_cast<double>(p.total)),
          100.0 * static_cast<double>(p.received) / static_cast<double>(p.total), size_text(rate),
          static_cast<long>(left) / 60, static_cast<long>(left) % 60);
    } else {
      line += fmt::format("  {}/s", size_text(rate));
    }
    std::fputs((line + "   ").c_str(), stderr);
  };
}

// "192.0.2.1", "192.0.2.1:5353", "::1" or "[::1]:5353"; the port defaults to 53.
std::optional<net::Address> parse_server_address(const std::string& text) {
  if (auto plain = net::Address::parse(text, 53)) return *plain;
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  auto port = net::parse_port(text.substr(colon + 1));
  if (!port) return std::nullopt;
  auto address = net::Address::parse(text.substr(0, colon), *port);
  if (!address) return std::nullopt;
  return *address;
}

Failure fetch_failure(const std::error_code& error, const std::string& url, Duration timeout) {
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
  if (error.category() == clients::tls_error_category()) {
    return {kExitTls, fmt::format("TLS with {} failed: {}{}", url, error.message(),
                                  error == clients::tls_errc::handshake
                                      ? ""
                                      : " (use -k to skip verification, or --cacert FILE)")};
  }
  if (error.category() == clients::http_error_category()) {
    return {kExitMalformedReply, fmt::format("{}: {}", url, error.message())};
  }
  return client_failure(error, url, timeout);
}

int run_http(const HttpFlags& flags) {
  auto url = proto::http::parse_url(flags.url);
  if (!url)
    return report(usage_failure(fmt::format("bad URL '{}': {}", flags.url, url.error().message())));
  clients::HttpOptions options;
  options.method = !flags.method.empty() ? flags.method : (flags.data.empty() ? "GET" : "POST");
  options.body = flags.data;
  options.user = flags.user;
  options.head = flags.head;
  options.compressed = flags.compressed;
  options.follow = flags.follow;
  options.max_redirects = flags.max_redirects;
  options.tls.verify = !flags.insecure;
  if (!flags.cacert.empty()) options.tls.ca_file = flags.cacert;
  options.connect_timeout = from_seconds(flags.connect_timeout);
  if (flags.timeout > 0) options.timeout = from_seconds(flags.timeout);
  for (const auto& header : flags.headers) {
    const auto colon = header.find(':');
    if (colon == std::string::npos || colon == 0) {
      return report(usage_failure(fmt::format("-H '{}' is not 'Name: value'", header)));
    }
    auto value = header.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    options.headers.emplace_back(header.substr(0, colon), value);
  }
  if (!flags.dns_server.empty()) {
    auto server = parse_server_address(flags.dns_server);
    if (!server) {
      return report(usage_failure(fmt::format(
          "--dns-server needs an IP address, optionally with :PORT, not '{}'", flags.dns_server)));
    }
    options.dns_server = *server;
  }
  if (flags.insecure && url->https)
    log::warn("soket: -k: the server's certificate is NOT verified");
  if (flags.verbose)
    options.trace = [](std::string_view line) { log::warn("{}", terminal_safe(line)); };

  std::unique_ptr<FileSink> file;
  StdoutSink out;
  clients::BodySink* sink = &out;
  if (!flags.output.empty() && !flags.head) {
    file = std::make_unique<FileSink>(flags.output);
    if (!file->opened()) {
      return report({kExitFailure, fmt::format("cannot write '{}': {}", flags.output,
                                               last_system_error().message())});
    }
    sink = file.get();
    if (::isatty(STDERR_FILENO) != 0) options.progress = progress_bar();
  }
  auto response = clients::fetch(*url, options, *sink);
  if (options.progress) std::fputs("\n", stderr);
  std::fflush(stdout);
  if (!response) return report(fetch_failure(response.error(), url->to_string(), options.timeout));
  if (flags.head) {
    std::string head = terminal_safe(response->status_line) + "\r\n";
    for (const auto& [name, value] : response->headers)
      head += terminal_safe(name) + ": " + terminal_safe(value) + "\r\n";
    fmt::print("{}\r\n", head);
    std::fflush(stdout);
  }
  if (flags.fail && response->status >= 400) {
    return report(
        {kExitHttpError, fmt::format("{} answered {}", terminal_safe(response->url.to_string()),
                                     terminal_safe(response->status_line))});
  }
  if (file) {
    if (auto committed = file->commit(); !committed) {
      return report({kExitFailure, fmt::format("cannot write '{}': {}", flags.output,
                                               committed.error().message())});
    }
  }
  return kExitOk;
}

}  // namespace

void add_http_command(CLI::App& app, Action& action) {
  auto* command = app.add_subcommand("http", "Fetch a URL over HTTP/1.1 or HTTPS");
  auto flags = std::make_shared<HttpFlags>();
  command->add_option("url", flags->url, "http:// or https:// URL")->required();
  command->add_option("-o,--output", flags->output,
                      "Write the body to FILE (complete or not at all)");
  command->add_flag("-I,--head", flags->head, "HEAD: print the status line and headers");
  command->add_flag("-L,--location", flags->follow, "Follow redirects");
  command->add_option("--max-redirs", flags->max_redirects, "Redirects followed at most")
      ->check(count_between(0, 1000))
      ->capture_default_str();
  command->add_flag("-f,--fail", flags->fail, "Exit non-zero on an HTTP status of 400 or more");
  command->add_option("-H,--header", flags->headers, "An extra header 'Name: value' (repeatable)")
      ->allow_extra_args(false);
  command->add_option("-X,--request", flags->method, "The method (default GET, or POST with -d)");
  command->add_option("-d,--data", flags->data, "A request body");
  command->add_option("-u,--user", flags->user,
                      "USER:PASSWORD for Basic authentication (sent only to the URL's origin)");
  command->add_flag("--compressed", flags->compressed, "Ask for gzip/deflate and decode it");
  command->add_flag("-k,--insecure", flags->insecure, "Do not verify the server's certificate");
  command->add_option("--cacert", flags->cacert, "Trust this CA file too");
  command->add_option("--connect-timeout", flags->connect_timeout, "Seconds to connect")
      ->check(seconds_between(0.001, 86400))
      ->capture_default_str();
  command->add_option("--timeout", flags->timeout, "Seconds for the whole transfer")
      ->check(seconds_between(0.001, 864000));
  command->add_flag("-v,--verbose", flags->verbose, "Request and response headers on stderr");
  command->add_option("--dns-server", flags->dns_server,
                      "Resolve the host with soket's own DNS client");
  command->callback([flags, &action] { action = [flags] { return run_http(*flags); }; });
}

}  // namespace soket::cli
