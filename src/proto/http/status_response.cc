#include "proto/http/status_response.h"

namespace soket::proto::http {

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 426:
      return "Upgrade Required";
    case 431:
      return "Request Header Fields Too Large";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Error";
  }
}

std::string plain_text_response(int status, std::string_view body, std::string_view extra_fields) {
  std::string response = "HTTP/1.1 " + std::to_string(status) + " ";
  response += reason_phrase(status);
  response += "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ";
  response += std::to_string(body.size() + 1);
  response += "\r\nConnection: close\r\n";
  response += extra_fields;
  response += "\r\n";
  response += body;
  response += "\n";
  return response;
}

}  // namespace soket::proto::http
