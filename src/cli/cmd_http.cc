// soket http: an HTTP/1.1 client over TCP and TLS (seed 002, part D), with curl's spellings.
#include <fmt/core.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/failure.h"
#include "cli/http_failure.h"
#include "cli/http_output.h"
#include "cli/option_checks.h"
#include "clients/http_client.h"
#include "clients/request_body.h"
#include "core/log.h"
#include "proto/http/remote_name.h"
#include "proto/http/response_parser.h"
#include "proto/http/write_out.h"

namespace soket::cli {
namespace {

struct HttpFlags {
  std::string url;
  std::string output;
  bool remote_name = false, no_clobber = false;
  bool head = false, include = false, follow = false, fail = false, compressed = false;
  bool insecure = false, verbose = false, silent = false, show_error = false;
  bool ipv4 = false, ipv6 = false;
  int max_redirects = 10;
  std::vector<std::string> headers, forms, resolve;
  std::vector<clients::DataArgument> data;
  std::vector<std::string> data_storage;  // Only for CLI11: `data` holds them in order.
  std::string method, user, user_agent, referer, cacert, write_out, resume, range;
  double connect_timeout = 30, timeout = 0;
  int retry = 0;
  double retry_delay = 0, retry_max_time = 0;
  bool retry_connrefused = false, retry_all_errors = false;
  std::string dns_server;
};

// -s hides errors and warnings, -S brings the errors back (curl's -sS).
struct Voice {
  bool errors = true, warnings = true;
  int say(const Failure& failure) const {
    if (errors) return report(failure);
    return failure.code;
  }
};

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

// curl's --resolve HOST:PORT:ADDR[,ADDR]...; HOST and ADDR may be [bracketed] IPv6.
std::optional<clients::ResolveOverride> parse_resolve(const std::string& text) {
  clients::ResolveOverride entry;
  std::size_t at = 0;
  if (!text.empty() && text.front() == '[') {
    at = text.find(']');
    if (at == std::string::npos) return std::nullopt;
    entry.host = text.substr(1, at - 1);
    ++at;
  } else {
    at = text.find(':');
    if (at == std::string::npos) return std::nullopt;
    entry.host = text.substr(0, at);
  }
  if (entry.host.empty() || at >= text.size() || text[at] != ':') return std::nullopt;
  const auto port_end = text.find(':', at + 1);
  if (port_end == std::string::npos) return std::nullopt;
  auto port = net::parse_port(text.substr(at + 1, port_end - at - 1));
  if (!port) return std::nullopt;
  entry.port = *port;
  std::string rest = text.substr(port_end + 1);
  for (std::size_t start = 0; start <= rest.size();) {
    const auto comma = std::min(rest.find(',', start), rest.size());
    auto address = net::Address::parse(rest.substr(start, comma - start), entry.port);
    if (!address) return std::nullopt;
    entry.addresses.push_back(*address);
    start = comma + 1;
  }
  return entry;
}

// The options as the client takes them; a failure when one does not make sense.
std::optional<Failure> client_options(const HttpFlags& flags, clients::HttpOptions& options) {
  std::string failed_path;
  auto body = clients::build_request_body(flags.data, flags.forms, failed_path);
  if (!body) {
    if (body.error() != std::errc::invalid_argument)
      return Failure{kExitUsage, fmt::format("cannot read '{}' for the request body: {}",
                                             failed_path, body.error().message())};
    return usage_failure(flags.forms.empty() || flags.data.empty()
                             ? "-F needs NAME=VALUE, NAME=@FILE or NAME=<FILE"
                             : "-F cannot be mixed with -d, --data-binary or --json");
  }
  options.method = !flags.method.empty() ? flags.method : (body->any ? "POST" : "GET");
  options.body = body->body;
  options.content_type = body->content_type;
  if (!body->accept.empty()) options.accept = body->accept;
  if (!flags.user.empty() && flags.user.find(':') == std::string::npos)
    return usage_failure("-u needs USER:PASSWORD (soket does not prompt for a password)");
  options.user = flags.user;
  options.user_agent = flags.user_agent;
  options.head = flags.head;
  options.include_headers = flags.include || flags.head;
  options.fail_on_error = flags.fail;
  options.compressed = flags.compressed;
  options.follow = flags.follow;
  options.max_redirects = flags.max_redirects;
  options.range = flags.range;
  options.family = flags.ipv4 ? AF_INET : flags.ipv6 ? AF_INET6 : 0;
  options.tls.verify = !flags.insecure;
  if (!flags.cacert.empty()) options.tls.ca_file = flags.cacert;
  options.connect_timeout = from_seconds(flags.connect_timeout);
  if (flags.timeout > 0) options.timeout = from_seconds(flags.timeout);
  options.retry = {flags.retry, from_seconds(flags.retry_delay), from_seconds(flags.retry_max_time),
                   flags.retry_connrefused, flags.retry_all_errors};
  for (const auto& header : flags.headers) {
    const auto colon = header.find(':');
    if (colon == std::string::npos || colon == 0)
      return usage_failure(fmt::format("-H '{}' is not 'Name: value'", header));
    auto value = header.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    options.headers.emplace_back(header.substr(0, colon), value);
  }
  // -e "URL;auto" (or ";auto" alone), as curl: redirects name the URL they came from.
  std::string referer = flags.referer;
  if (referer.size() >= 5 && referer.substr(referer.size() - 5) == ";auto") {
    options.auto_referer = true;
    referer.resize(referer.size() - 5);
  }
  if (!referer.empty()) options.headers.emplace_back("Referer", referer);
  for (const auto& text : flags.resolve) {
    auto entry = parse_resolve(text);
    if (!entry)
      return usage_failure(fmt::format("--resolve needs HOST:PORT:ADDRESS, not '{}'", text));
    options.resolve.push_back(*entry);
  }
  if (!flags.dns_server.empty()) {
    auto server = parse_server_address(flags.dns_server);
    if (!server) {
      return usage_failure(fmt::format(
          "--dns-server needs an IP address, optionally with :PORT, not '{}'", flags.dns_server));
    }
    options.dns_server = *server;
  }
  return std::nullopt;
}

// -w: curl's variables after the transfer, whatever its outcome.
void write_out(const HttpFlags& flags, proto::http::TransferReport report, int code,
               const std::string& message, const Voice& voice) {
  if (flags.write_out.empty()) return;
  std::string format = flags.write_out;
  if (format.front() == '@') {
    auto text = net::read_input_file(format.substr(1));
    if (!text) {
      voice.say({kExitUsage, fmt::format("cannot read the -w format from '{}': {}",
                                         format.substr(1), text.error().message())});
      return;
    }
    format = *text;
  }
  report.exitcode = code;
  report.errormsg = message;
  const auto text = proto::http::expand_write_out(format, report);
  if (voice.warnings) {
    for (const auto& name : text.unknown)
      log::warn("soket: unknown -w variable '{}', left out", terminal_safe(name));
  }
  std::fputs(text.out.c_str(), stdout);
  std::fflush(stdout);
  std::fputs(text.err.c_str(), stderr);
}

// Where the body goes: -o FILE, -O (the URL's name), or stdout (also -o -).
struct Destination {
  std::string path;  // Empty: stdout.
  std::unique_ptr<FileSink> file;
};

std::optional<Failure> open_destination(const HttpFlags& flags, const proto::http::Url& url,
                                        clients::HttpOptions& options, Destination& out) {
  if (flags.remote_name && !flags.output.empty())
    return usage_failure("give either -o FILE or -O, not both");
  if (flags.remote_name) {
    auto name = proto::http::remote_file_name(url);
    if (!name)
      return usage_failure(
          fmt::format("-O cannot take a file name from {}: {}; name the file "
                      "with -o FILE",
                      url.to_string(), name.error().message()));
    out.path = *name;
  } else if (flags.output != "-") {
    out.path = flags.output;
  }
  if (!flags.resume.empty() && out.path.empty())
    return usage_failure("-C resumes a file: give -o FILE or -O");
  if (out.path.empty()) return std::nullopt;
  if (flags.resume == "-") {
    auto size = net::existing_size(out.path);
    if (!size) return output_failure(out.path, size.error());
    options.resume_from = *size;
  } else if (!flags.resume.empty()) {
    auto offset = std::stoull(flags.resume);
    options.resume_from = offset;
  }
  auto file = net::OutputFile::open(
      out.path, {.append = options.resume_from > 0, .no_clobber = flags.no_clobber});
  if (!file) return output_failure(out.path, file.error());
  out.file = std::make_unique<FileSink>(std::move(*file));
  return std::nullopt;
}

int run_http(const HttpFlags& flags) {
  const Voice voice{!flags.silent || flags.show_error, !flags.silent};
  auto url = proto::http::parse_url(flags.url);
  if (!url)
    return voice.say(
        usage_failure(fmt::format("bad URL '{}': {}", flags.url, url.error().message())));
  clients::HttpOptions options;
  if (auto failure = client_options(flags, options)) return voice.say(*failure);
  Destination destination;
  if (auto failure = open_destination(flags, *url, options, destination))
    return voice.say(*failure);
  if (flags.insecure && url->https && voice.warnings)
    log::warn("soket: -k: the server's certificate is NOT verified");
  if (flags.verbose)
    options.trace = [](std::string_view line) { log::warn("{}", terminal_safe(line)); };
  if (voice.warnings) {
    options.on_retry = [](const clients::RetryNotice& notice) {
      log::warn("soket: {}; trying again in {:g} s ({} {} left)", terminal_safe(notice.reason),
                std::chrono::duration<double>(notice.wait).count(), notice.left,
                notice.left == 1 ? "retry" : "retries");
    };
  }
  StdoutSink out;
  clients::BodySink* sink =
      destination.file ? static_cast<clients::BodySink*>(destination.file.get()) : &out;
  if (destination.file && !flags.silent && ::isatty(STDERR_FILENO) != 0)
    options.progress = progress_bar();
  proto::http::TransferReport report;
  auto response = clients::fetch(*url, options, *sink, &report);
  if (options.progress) std::fputs("\n", stderr);
  std::fflush(stdout);
  std::optional<Failure> failure;
  if (!response) {
    failure =
        fetch_failure(response.error(), url->to_string(),
                      {flags.connect_timeout, flags.timeout > 0 ? flags.timeout : 86400.0}, report);
  } else if (flags.fail && response->status >= 400) {
    failure = Failure{kExitHttpError,
                      fmt::format("{} answered {}", terminal_safe(response->url.to_string()),
                                  terminal_safe(response->status_line))};
  } else if (destination.file) {
    if (auto committed = destination.file->commit(); !committed)
      failure = output_failure(destination.path, committed.error());
  }
  const int code = failure ? voice.say(*failure) : kExitOk;
  write_out(flags, report, code, failure ? failure->message : "", voice);
  return code;
}

// The data options keep the order they were given in (curl joins them in that order); CLI11
// calls `each` once per value, so the vectors they name are only their storage.
void add_data_options(CLI::App& command, HttpFlags& flags) {
  using Kind = clients::DataArgument::Kind;
  auto collect = [&flags](Kind kind) {
    return [&flags, kind](const std::string& value) { flags.data.push_back({kind, value}); };
  };
  struct Spelling {
    const char* names;
    Kind kind;
    const char* help;
  };
  static constexpr Spelling kSpellings[] = {
      {"-d,--data", Kind::data, "A request body (@FILE reads it; repeatable, joined with &)"},
      {"--data-raw", Kind::raw, "As -d, but '@' is just a character"},
      {"--data-binary", Kind::binary, "As -d, @FILE sent byte for byte"},
      {"--json", Kind::json, "A JSON body (@FILE reads it), JSON Content-Type and Accept"},
  };
  for (const auto& spelling : kSpellings) {
    command.add_option(spelling.names, flags.data_storage, spelling.help)
        ->each(collect(spelling.kind))
        ->allow_extra_args(false);
  }
  command
      .add_option("-F,--form", flags.forms,
                  "multipart/form-data: NAME=VALUE, NAME=@FILE or NAME=<FILE (repeatable)")
      ->allow_extra_args(false);
}

}  // namespace

void add_http_command(CLI::App& app, Action& action) {
  auto* command = app.add_subcommand("http", "Fetch a URL over HTTP/1.1 or HTTPS (curl's flags)");
  auto flags = std::make_shared<HttpFlags>();
  auto& f = *flags;
  command->add_option("url", f.url, "URL: http://, https://, or HOST[:PORT]/PATH for http")
      ->required();
  command->add_option("-o,--output", f.output,
                      "Write the body to FILE (complete or not at all); - is stdout");
  command->add_flag("-O,--remote-name", f.remote_name,
                    "Write the body to a file named as the URL's last path segment");
  command->add_flag("--no-clobber", f.no_clobber, "Never replace a file: FILE.1, FILE.2 ...");
  command->add_flag("-I,--head", f.head, "HEAD: print the status line and headers");
  command->add_flag("-i,--include", f.include, "Write the status line and headers before the body");
  command->add_flag("-L,--location", f.follow, "Follow redirects");
  command->add_option("--max-redirs", f.max_redirects, "Redirects followed at most")
      ->check(count_between(0, 1000))
      ->capture_default_str();
  command->add_flag("-f,--fail", f.fail,
                    "On an HTTP status of 400 or more write nothing and exit 17");
  command->add_flag("-s,--silent", f.silent, "No progress bar, warnings or error messages");
  command->add_flag("-S,--show-error", f.show_error, "With -s, still show errors");
  command->add_option("-w,--write-out", f.write_out,
                      "After the transfer print FORMAT: %{http_code}, %{time_total}, "
                      "%{size_download}, %{url_effective} ... (@FILE reads it)");
  command->add_option("-H,--header", f.headers, "An extra header 'Name: value' (repeatable)")
      ->allow_extra_args(false);
  command->add_option("-X,--request", f.method, "The method (default GET, or POST with data)");
  add_data_options(*command, f);
  command->add_option("-u,--user", f.user,
                      "USER:PASSWORD for Basic authentication (sent only to the URL's origin)");
  command->add_option("-A,--user-agent", f.user_agent, "The User-Agent header");
  command->add_option("-e,--referer", f.referer, "The Referer header");
  command->add_flag("--compressed", f.compressed, "Ask for gzip/deflate and decode it");
  command->add_flag("-k,--insecure", f.insecure, "Do not verify the server's certificate");
  command->add_option("--cacert", f.cacert, "Trust this CA file too");
  command->add_option("--resolve", f.resolve, "HOST:PORT:ADDRESS: connect there, no lookup")
      ->allow_extra_args(false);
  command->add_flag("-4,--ipv4", f.ipv4, "IPv4 addresses only");
  command->add_flag("-6,--ipv6", f.ipv6, "IPv6 addresses only")->excludes("--ipv4");
  command->add_option("--connect-timeout", f.connect_timeout, "Seconds to connect")
      ->check(seconds_between(0.001, 86400))
      ->capture_default_str();
  command
      ->add_option("-m,--max-time,--timeout", f.timeout,
                   "Seconds for the whole transfer (each try)")
      ->check(seconds_between(0.001, 864000));
  command
      ->add_option("--retry", f.retry,
                   "Try again up to N times on a timeout, or HTTP 408, 429, 500, 502-504")
      ->check(count_between(0, 10000));
  command
      ->add_option("--retry-delay", f.retry_delay,
                   "Seconds between tries (default: 1, doubled each time)")
      ->check(seconds_between(0, 86400));
  command->add_option("--retry-max-time", f.retry_max_time, "Stop retrying after this long")
      ->check(seconds_between(0, 864000));
  command->add_flag("--retry-connrefused", f.retry_connrefused, "Retry a refused connection too");
  command->add_flag("--retry-all-errors", f.retry_all_errors, "Retry on any error");
  command
      ->add_option("-C,--continue-at", f.resume,
                   "- resumes the file of -o/-O from its size (Range); or a byte offset")
      ->check([](const std::string& value) {
        if (value == "-" || (!value.empty() && value.size() <= 18 &&
                             value.find_first_not_of("0123456789") == std::string::npos))
          return std::string();
        return std::string("-C takes - (resume from the file's size) or a byte offset");
      });
  command->add_option("-r,--range", f.range, "Only these bytes: FIRST-LAST, FIRST- or -LAST")
      ->check([](const std::string& value) {
        if (!value.empty() && value.find_first_not_of("0123456789-,") == std::string::npos &&
            value.find('-') != std::string::npos)
          return std::string();
        return std::string("-r takes FIRST-LAST, FIRST- or -LAST (bytes), commas between");
      });
  command->add_flag("-v,--verbose", f.verbose, "Request and response headers on stderr");
  command->add_option("--dns-server", f.dns_server, "Resolve the host with soket's own DNS client");
  command->callback([flags, &action] { action = [flags] { return run_http(*flags); }; });
}

}  // namespace soket::cli
