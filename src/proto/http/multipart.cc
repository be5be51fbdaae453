#include "proto/http/multipart.h"

#include "proto/text/ascii.h"

namespace soket::proto::http {
namespace {

// A quoted name or filename as curl escapes it for forms (RFC 7578 section 4.2 leaves the
// choice open; WHATWG and curl percent-escape the three bytes that would break the quotes
// or the header line).
std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"')
      out += "%22";
    else if (c == '\r')
      out += "%0D";
    else if (c == '\n')
      out += "%0A";
    else
      out += c;
  }
  return out + "\"";
}

}  // namespace

std::string content_type_for(std::string_view filename) {
  struct Known {
    std::string_view extension, type;
  };
  static constexpr Known kKnown[] = {
      {".gif", "image/gif"},       {".jpg", "image/jpeg"},    {".jpeg", "image/jpeg"},
      {".png", "image/png"},       {".svg", "image/svg+xml"}, {".txt", "text/plain"},
      {".htm", "text/html"},       {".html", "text/html"},    {".pdf", "application/pdf"},
      {".xml", "application/xml"},
  };
  for (const auto& known : kKnown) {
    if (filename.size() > known.extension.size() &&
        text::iequals(filename.substr(filename.size() - known.extension.size()), known.extension))
      return std::string(known.type);
  }
  return "application/octet-stream";
}

std::string build_multipart(const std::vector<FormPart>& parts, std::string_view boundary) {
  std::string out;
  for (const auto& part : parts) {
    out.append("--").append(boundary).append("\r\n");
    out.append("Content-Disposition: form-data; name=").append(quoted(part.name));
    if (part.filename) out.append("; filename=").append(quoted(*part.filename));
    out.append("\r\n");
    std::string type = part.content_type;
    if (type.empty() && part.filename) type = content_type_for(*part.filename);
    if (!type.empty()) out.append("Content-Type: ").append(type).append("\r\n");
    out.append("\r\n").append(part.value).append("\r\n");
  }
  out.append("--").append(boundary).append("--\r\n");
  return out;
}

std::string multipart_content_type(std::string_view boundary) {
  return "multipart/form-data; boundary=" + std::string(boundary);
}

}  // namespace soket::proto::http
