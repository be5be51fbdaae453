// multipart/form-data bodies (RFC 7578) as curl's -F writes them: one part per field,
// "Content-Disposition: form-data; name=..." (and "; filename=..." with a Content-Type for a
// file), parts split by "--BOUNDARY" lines, the last one closed by "--BOUNDARY--".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace soket::proto::http {

struct FormPart {
  std::string name;
  std::string value;                    // The field's text, or the file's bytes.
  std::optional<std::string> filename;  // Set for a file part.
  std::string content_type;             // Empty: none for a field, a guess for a file.
};

// The Content-Type curl gives a file part by its extension (lib/mime.c), else
// application/octet-stream.
std::string content_type_for(std::string_view filename);

// The whole body. The boundary must not occur in any value (the caller draws it at random).
std::string build_multipart(const std::vector<FormPart>& parts, std::string_view boundary);

// The request's Content-Type header value for that boundary.
std::string multipart_content_type(std::string_view boundary);

}  // namespace soket::proto::http
