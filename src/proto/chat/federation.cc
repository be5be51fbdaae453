#include "proto/chat/federation.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <nlohmann/json.hpp>

#include "proto/chat/room.h"

namespace soket::proto::chat {
namespace {

using Json = nlohmann::json;

constexpr std::array<std::pair<EventKind, std::string_view>, 7> kKinds{{
    {EventKind::hello, "hello"},
    {EventKind::roster, "roster"},
    {EventKind::join, "join"},
    {EventKind::leave, "leave"},
    {EventKind::text, "text"},
    {EventKind::private_text, "private"},
    {EventKind::bye, "bye"},
}};

std::string_view kind_word(EventKind kind) {
  for (const auto& [k, word] : kKinds) {
    if (k == kind) return word;
  }
  return "hello";
}

std::optional<EventKind> kind_of(std::string_view word) {
  for (const auto& [k, w] : kKinds) {
    if (w == word) return k;
  }
  return std::nullopt;
}

bool has_name(EventKind kind) {
  return kind == EventKind::join || kind == EventKind::leave || kind == EventKind::text ||
         kind == EventKind::private_text;
}

bool has_text(EventKind kind) {
  return kind == EventKind::text || kind == EventKind::private_text;
}

// A string field, or nullopt when it is missing or not a string.
std::optional<std::string> string_field(const Json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

bool is_valid_label(std::string_view label) {
  return !label.empty() && label.size() <= kMaxServerField &&
         std::all_of(label.begin(), label.end(),
                     [](char c) { return std::isgraph(static_cast<unsigned char>(c)) != 0; });
}

std::optional<Event> refuse(std::string& why, std::string reason) {
  why = std::move(reason);
  return std::nullopt;
}

}  // namespace

bool is_valid_server_id(std::string_view id) {
  return !id.empty() && id.size() <= kMaxServerField &&
         std::all_of(id.begin(), id.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
                  c == ':';
         });
}

Event make_event(EventKind kind, std::string name, std::string text, std::string to) {
  Event event;
  event.kind = kind;
  event.name = std::move(name);
  event.text = std::move(text);
  event.to = std::move(to);
  return event;
}

std::string encode(const Event& event) {
  Json json = {{"v", 1},
               {"server", event.server},
               {"label", event.label},
               {"seq", event.seq},
               {"kind", kind_word(event.kind)}};
  if (has_name(event.kind)) json["name"] = event.name;
  if (event.kind == EventKind::private_text) json["to"] = event.to;
  if (has_text(event.kind)) json["text"] = event.text;
  if (event.kind == EventKind::roster) json["members"] = event.members;
  // Invalid UTF-8 cannot come from soket's own members (their lines are cleaned first), and
  // must not make encoding throw: it is replaced.
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::optional<Event> decode(std::string_view payload, std::string& why) {
  if (payload.size() > kMaxEventBytes) return refuse(why, "event too large");
  const Json json = Json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return refuse(why, "not a JSON object");
  const auto version = json.find("v");
  if (version == json.end() || !version->is_number_unsigned() || *version != 1) {
    return refuse(why, "not version 1");
  }
  Event event;
  auto server = string_field(json, "server");
  auto label = string_field(json, "label");
  auto kind = string_field(json, "kind");
  const auto seq = json.find("seq");
  if (!server || !is_valid_server_id(*server)) return refuse(why, "bad server id");
  if (!label || !is_valid_label(*label)) return refuse(why, "bad server label");
  if (seq == json.end() || !seq->is_number_unsigned()) return refuse(why, "bad seq");
  const auto parsed_kind = kind ? kind_of(*kind) : std::nullopt;
  if (!parsed_kind) return refuse(why, "unknown kind");
  event.server = std::move(*server);
  event.label = std::move(*label);
  event.seq = seq->get<std::uint64_t>();
  event.kind = *parsed_kind;
  if (has_name(event.kind)) {
    auto name = string_field(json, "name");
    if (!name || !is_valid_name(*name)) return refuse(why, "bad member name");
    event.name = std::move(*name);
  }
  if (event.kind == EventKind::private_text) {
    auto to = string_field(json, "to");
    if (!to || !is_valid_name(*to)) return refuse(why, "bad recipient name");
    event.to = std::move(*to);
  }
  if (has_text(event.kind)) {
    auto text = string_field(json, "text");
    if (!text || text->empty() || text->size() > kMaxEventText) return refuse(why, "bad text");
    event.text = std::move(*text);
  }
  if (event.kind == EventKind::roster) {
    const auto members = json.find("members");
    if (members == json.end() || !members->is_array() || members->size() > kMaxRosterMembers) {
      return refuse(why, "bad roster");
    }
    for (const auto& member : *members) {
      if (!member.is_string() || !is_valid_name(member.get_ref<const std::string&>())) {
        return refuse(why, "bad roster member");
      }
      event.members.push_back(member.get<std::string>());
    }
  }
  return event;
}

}  // namespace soket::proto::chat
