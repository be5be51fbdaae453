#include "services/chat_page.h"

#include <string_view>

#include "proto/text/digest_base64.h"

namespace soket::services {
namespace web {
extern const std::string_view kChatHtml, kChatCss, kChatJs;
}  // namespace web
namespace {

constexpr std::string_view kCssMarker = "/* soket:css */";
constexpr std::string_view kJsMarker = "/* soket:js */";

// Puts `text` in place of `marker` and returns the whole content of the element around it
// (whitespace around the marker included): that is what the browser hashes.
std::string_view put_in_place(std::string& document, std::string_view marker,
                              std::string_view text) {
  const auto at = document.find(marker);
  if (at == std::string::npos) return {};
  document.replace(at, marker.size(), text);
  const auto begin = document.rfind('>', at) + 1;
  const auto end = document.find("</", at + text.size());
  return std::string_view(document).substr(begin, end - begin);
}

ChatPage build() {
  ChatPage page;
  page.document = std::string(web::kChatHtml);
  const std::string style_hash = proto::text::digest_base64(
      proto::text::Digest::sha256, put_in_place(page.document, kCssMarker, web::kChatCss));
  const std::string script_hash = proto::text::digest_base64(
      proto::text::Digest::sha256, put_in_place(page.document, kJsMarker, web::kChatJs));
  page.policy = "default-src 'none'; script-src 'sha256-" + script_hash + "'; style-src 'sha256-" +
                style_hash +
                "'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; "
                "frame-ancestors 'none'";
  return page;
}

}  // namespace

const ChatPage& chat_page() {
  static const ChatPage page = build();
  return page;
}

}  // namespace soket::services
