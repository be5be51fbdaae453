#include "clients/request_body.h"

#include <algorithm>
#include <random>

#include "net/output_file.h"
#include "proto/http/multipart.h"

namespace soket::clients {
namespace {

// "@FILE" read whole ("@-" is stdin), else the text itself.
Result<std::string> value_of(const std::string& value, bool at_means_file,
                             std::string& failed_path) {
  if (!at_means_file || value.empty() || value.front() != '@') return value;
  auto contents = net::read_input_file(value.substr(1));
  if (!contents) failed_path = value.substr(1);
  return contents;
}

// "------------------------" and 16 random hex digits, as curl draws its boundaries.
std::string random_boundary() {
  std::random_device device;
  std::mt19937_64 random(device());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string boundary(24, '-');
  for (int i = 0; i < 16; ++i) boundary += kHex[random() % 16];
  return boundary;
}

// "value;type=text/plain;filename=x" into its parts; other ';'s stay in the value.
void take_parameters(std::string& value, proto::http::FormPart& part) {
  for (;;) {
    const auto type = value.rfind(";type="), name = value.rfind(";filename=");
    const auto at = type == std::string::npos   ? name
                    : name == std::string::npos ? type
                                                : std::max(type, name);
    if (at == std::string::npos) return;
    if (at == type) {
      part.content_type = value.substr(at + 6);
    } else {
      part.filename = value.substr(at + 10);
    }
    value.erase(at);
  }
}

Result<proto::http::FormPart> form_part(const std::string& spec, std::string& failed_path) {
  proto::http::FormPart part;
  const auto equals = spec.find('=');
  if (equals == std::string::npos || equals == 0)
    return std::make_error_code(std::errc::invalid_argument);
  part.name = spec.substr(0, equals);
  std::string value = spec.substr(equals + 1);
  const bool file = !value.empty() && value.front() == '@';
  const bool text_file = !value.empty() && value.front() == '<';
  if (file || text_file) {
    std::optional<std::string> filename;
    take_parameters(value, part);
    filename = part.filename;
    const std::string path = value.substr(1);
    auto contents = net::read_input_file(path);
    if (!contents) {
      failed_path = path;
      return contents.error();
    }
    part.value = std::move(*contents);
    if (file && !part.filename) {
      const auto slash = path.rfind('/');
      part.filename = path == "-" ? "" : path.substr(slash == std::string::npos ? 0 : slash + 1);
    }
  } else {
    take_parameters(value, part);
    part.value = value;
  }
  return part;
}

}  // namespace

Result<RequestBody> build_request_body(const std::vector<DataArgument>& data,
                                       const std::vector<std::string>& forms,
                                       std::string& failed_path) {
  RequestBody out;
  if (!forms.empty() && !data.empty()) return std::make_error_code(std::errc::invalid_argument);
  if (!forms.empty()) {
    std::vector<proto::http::FormPart> parts;
    for (const auto& spec : forms) {
      auto part = form_part(spec, failed_path);
      if (!part) return part.error();
      parts.push_back(std::move(*part));
    }
    const std::string boundary = random_boundary();
    out.body = proto::http::build_multipart(parts, boundary);
    out.content_type = proto::http::multipart_content_type(boundary);
    out.any = true;
    return out;
  }
  bool json = false;
  for (const auto& argument : data) {
    using Kind = DataArgument::Kind;
    auto value = value_of(argument.value, argument.kind != Kind::raw, failed_path);
    if (!value) return value.error();
    // curl -d @FILE drops the file's carriage returns and newlines; -d TEXT sends TEXT as it is.
    const bool from_file = !argument.value.empty() && argument.value.front() == '@';
    if (argument.kind == Kind::data && from_file)
      std::erase_if(*value, [](char c) { return c == '\r' || c == '\n'; });
    if (argument.kind == Kind::json) {
      json = true;
    } else if (out.any) {
      out.body += '&';
    }
    out.body += *value;
    out.any = true;
  }
  if (out.any) out.content_type = json ? "application/json" : "application/x-www-form-urlencoded";
  if (json) out.accept = "application/json";
  return out;
}

}  // namespace soket::clients
