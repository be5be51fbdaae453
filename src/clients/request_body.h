// The request body curl's data options make, in curl's words:
//   -d/--data DATA        DATA, or @FILE's contents without CR and LF (@- is stdin);
//                         pieces joined with '&'; Content-Type application/x-www-form-urlencoded
//   --data-raw DATA       DATA as it is, no '@'
//   --data-binary DATA    DATA, or @FILE's bytes exactly
//   --json DATA           as --data-binary, pieces joined as they are; Content-Type and Accept
//                         application/json
//   -F/--form NAME=VALUE  multipart/form-data: a field; NAME=@FILE a file part (its name and a
//                         Content-Type guessed from it); NAME=<FILE a field with FILE's text;
//                         ";type=TYPE" and ";filename=NAME" after it as curl takes them.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"

namespace soket::clients {

struct DataArgument {
  enum class Kind { data, raw, binary, json } kind = Kind::data;
  std::string value;
};

struct RequestBody {
  std::string body;
  std::string content_type;
  std::string accept;  // Empty: the default (*/*).
  bool any = false;    // Some data option was given: the method becomes POST.
};

// Reads the files named (a failed read says which in `failed_path`). The multipart boundary
// is drawn at random. -F together with a data option is refused (curl refuses it too).
Result<RequestBody> build_request_body(const std::vector<DataArgument>& data,
                                       const std::vector<std::string>& forms,
                                       std::string& failed_path);

}  // namespace soket::clients
