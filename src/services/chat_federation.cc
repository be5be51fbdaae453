#include "services/chat_federation.h"

#include <fmt/core.h>
#include <hiredis/hiredis.h>

#include <random>

#include "proto/chat/federation.h"
#include "proto/text/ascii.h"

namespace soket::services {
namespace {

using proto::chat::ClaimAnswer;
using proto::chat::Event;
using proto::chat::EventKind;
using proto::chat::SessionId;

// Keeps each name this server still holds (its id there) or takes it back if it expired
// (Redis restarted empty, or the link was down past the expiry); says 1 for each it holds,
// 0 for one that another server holds. pcall: a key of the wrong type (garbage) is held by
// nobody of ours, and must not abort the script.
constexpr const char* kRenewScript = R"lua(
local held = {}
for i, key in ipairs(KEYS) do
  local owner = redis.pcall('GET', key)
  if owner == ARGV[1] then
    redis.call('EXPIRE', key, ARGV[2])
    held[i] = 1
  elseif owner == false then
    redis.call('SET', key, ARGV[1], 'EX', ARGV[2])
    held[i] = 1
  else
    held[i] = 0
  end
end
return held
)lua";

// Deletes a name only if this server holds it: never another server's.
constexpr const char* kReleaseScript = R"lua(
if redis.pcall('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
)lua";

constexpr std::size_t kRenewBatch = 500;  // Names per script call.
constexpr Duration kSkippedLogEvery = std::chrono::seconds(10);
constexpr Duration kFlushOnStop = std::chrono::seconds(1);

std::string random_id() {
  std::random_device random;
  return fmt::format("{:08x}{:08x}", random(), random());
}

std::string seconds_of(Duration duration) {
  return std::to_string(
      std::max<long long>(1, std::chrono::duration_cast<std::chrono::seconds>(duration).count()));
}

}  // namespace

ChatFederation::ChatFederation(reactor::EventLoop& loop, proto::chat::Room& room,
                               proto::chat::Actions& actions, FederationConfig config,
                               FederationHooks hooks)
    : loop_(loop),
      room_(room),
      actions_(actions),
      config_(std::move(config)),
      hooks_(std::move(hooks)),
      id_(random_id()),
      prefix_("soket:chat:" + config_.room + ":"),
      channel_(prefix_ + "events"),
      history_key_(prefix_ + "history"),
      commands_(loop,
                {[this] { on_client_up(); }, [this](const std::string& why) { on_lost(why); }},
                config_.timeouts),
      events_(loop, {[this] { on_client_up(); }, [this](const std::string& why) { on_lost(why); }},
              config_.timeouts),
      retry_delay_(config_.retry_first) {
  room_.federate(config_.label);
  connect();
  heartbeat_timer_ = loop_.run_after(config_.renew_every, [this] { heartbeat(); });
}

ChatFederation::~ChatFederation() {
  loop_.cancel(retry_timer_);
  loop_.cancel(heartbeat_timer_);
  if (state_ != State::up) return;
  publish(proto::chat::make_event(EventKind::bye));
  for (const auto& name : room_.member_names()) release(name);
  commands_.flush(kFlushOnStop);
}

std::string ChatFederation::name_key(const std::string& name) const {
  return prefix_ + "name:" + proto::text::to_lower(name);
}

void ChatFederation::act() {
  if (hooks_.carry_out) hooks_.carry_out();
}

void ChatFederation::connect() {
  clients_up_ = 0;
  commands_.connect(config_.host, config_.port, config_.database);
  events_.connect(config_.host, config_.port, config_.database);
}

void ChatFederation::on_client_up() {
  if (++clients_up_ < 2) return;
  events_.subscribe(
      channel_, [this] { on_subscribed(); },
      [this](std::string_view, std::string_view payload) { on_message(payload); });
}

// Both connections are up and the channel is heard: the room is whole from here on.
void ChatFederation::on_subscribed() {
  const bool rejoining = state_ == State::split;
  state_ = State::up;
  retry_delay_ = config_.retry_first;
  if (rejoining) {
    hooks_.log(fmt::format("Redis at {} is back: the room is whole again", config_.where));
    room_.set_split(false, actions_);
    renew_names(/*rejoining=*/true);
  }
  publish(proto::chat::make_event(EventKind::hello));
  publish_roster();
  for (const auto& [id, name] : std::exchange(waiting_claims_, {})) send_claim(id, name);
  act();
}

void ChatFederation::on_lost(const std::string& why) {
  commands_.disconnect();
  events_.disconnect();
  clients_up_ = 0;
  if (state_ != State::split) {  // Logged once per change, not once per retry.
    hooks_.log(fmt::format(
        "lost Redis at {}: {}; the room is split, serving this server's members alone and "
        "retrying",
        config_.where, why));
    state_ = State::split;
    servers_.clear();
    room_.set_split(true, actions_);
    for (const auto& [id, name] : std::exchange(waiting_claims_, {})) {
      room_.claim_answered(id, name, ClaimAnswer::unavailable, {}, actions_);
    }
    act();
  }
  retry_later();
}

// Both connections may report the loss: one retry is armed, and the delay doubles once.
void ChatFederation::retry_later() {
  if (retry_armed_) return;
  retry_armed_ = true;
  retry_timer_ = loop_.run_after(retry_delay_, [this] {
    retry_armed_ = false;
    connect();
  });
  retry_delay_ = std::min(retry_delay_ * 2, config_.retry_most);
}

void ChatFederation::publish(Event event) {
  if (state_ != State::up) return;  // Split: members were told their lines stay here.
  event.server = id_;
  event.label = config_.label;
  event.seq = ++seq_;
  const std::string payload = proto::chat::encode(event);
  commands_.command({"PUBLISH", channel_, payload}, [](const redisReply*) {});
  if (event.kind != EventKind::text) return;
  // The same connection, so the history keeps the order of the channel.
  commands_.command({"RPUSH", history_key_, payload}, [this](const redisReply* reply) {
    if (reply != nullptr && redis::is_error(*reply)) skipped("history", redis::text_of(*reply));
  });
  commands_.command({"LTRIM", history_key_, "-" + std::to_string(kHistoryKept), "-1"},
                    [](const redisReply*) {});
}

void ChatFederation::claim(SessionId id, const std::string& name) {
  switch (state_) {
    case State::connecting:  // Not up yet: the claim waits for the link, not in vain.
      waiting_claims_.emplace_back(id, name);
      return;
    case State::split:
      room_.claim_answered(id, name, ClaimAnswer::unavailable, {}, actions_);
      return act();
    case State::up:
      return send_claim(id, name);
  }
}

void ChatFederation::send_claim(SessionId id, const std::string& name) {
  const bool sent = commands_.command(
      {"SET", name_key(name), id_, "NX", "EX", seconds_of(config_.name_expiry)},
      [this, id, name](const redisReply* reply) { answer_claim(id, name, reply); });
  if (!sent) {
    room_.claim_answered(id, name, ClaimAnswer::unavailable, {}, actions_);
    act();
  }
}

void ChatFederation::answer_claim(SessionId id, const std::string& name, const redisReply* reply) {
  ClaimAnswer answer = ClaimAnswer::unavailable;
  if (reply != nullptr && reply->type == REDIS_REPLY_STATUS) answer = ClaimAnswer::granted;
  if (reply != nullptr && reply->type == REDIS_REPLY_NIL) answer = ClaimAnswer::taken;
  if (reply != nullptr && redis::is_error(*reply)) skipped("name claim", redis::text_of(*reply));
  if (answer == ClaimAnswer::granted && config_.history > 0) {
    const bool sent = commands_.command(
        {"LRANGE", history_key_, "-" + std::to_string(config_.history), "-1"},
        [this, id, name](const redisReply* history) { give_history(id, name, history); });
    if (sent) return;
  }
  room_.claim_answered(id, name, answer, {}, actions_);
  if (answer == ClaimAnswer::granted && room_.is_member(id) && hooks_.admitted) hooks_.admitted(id);
  act();
}

// A record in the history that this server has not yet seen live will come live: it is left
// out, so nobody gets a message twice. (A server that publishes, publishes hello first, so
// its messages come from a server this one knows.)
void ChatFederation::give_history(SessionId id, const std::string& name, const redisReply* reply) {
  std::vector<Event> history;
  if (reply != nullptr && reply->type == REDIS_REPLY_ARRAY) {
    for (std::size_t i = 0; i < reply->elements; ++i) {
      std::string why;
      auto event = proto::chat::decode(redis::text_of(*reply->element[i]), why);
      if (!event || event->kind != EventKind::text) {
        skipped("history record", event ? "not a text" : why);
        continue;
      }
      const auto server = servers_.find(event->server);
      const bool seen = event->server == id_
                            ? event->seq <= seq_
                            : server == servers_.end() || event->seq <= server->second.last_seq;
      if (seen) history.push_back(std::move(*event));
    }
  } else if (reply != nullptr) {
    skipped("history", redis::is_error(*reply) ? redis::text_of(*reply) : "not a list");
  }
  room_.claim_answered(id, name, ClaimAnswer::granted, history, actions_);
  if (room_.is_member(id) && hooks_.admitted) hooks_.admitted(id);
  act();
}

void ChatFederation::release(const std::string& name) {
  if (state_ != State::up) return;  // Its expiry gives it back.
  commands_.command({"EVAL", kReleaseScript, "1", name_key(name), id_}, [](const redisReply*) {});
}

void ChatFederation::on_message(std::string_view payload) {
  std::string why;
  const auto event = proto::chat::decode(payload, why);
  if (!event) return skipped("event", why);
  if (event->server == id_) return;  // Our own: our members had it already.
  if (!note_server(*event)) return;
  on_event(*event);
  act();
}

// Remembers the server and its last seq; false for a duplicate or a server past the bound.
bool ChatFederation::note_server(const Event& event) {
  auto it = servers_.find(event.server);
  if (it == servers_.end()) {
    if (servers_.size() >= kMaxServers) {
      skipped("event", fmt::format("from a server past the {} this one follows", kMaxServers));
      return false;
    }
    it = servers_.emplace(event.server, Server{}).first;
  } else if (event.seq <= it->second.last_seq) {
    return false;
  }
  it->second.last_heard = loop_.now();
  it->second.last_seq = event.seq;
  return true;
}

void ChatFederation::on_event(const Event& event) {
  room_.remote_event(event, actions_);
  // A server (re)starts: it learns the room from the others' rosters.
  if (event.kind == EventKind::hello) publish_roster();
  if (event.kind == EventKind::bye) servers_.erase(event.server);
}

void ChatFederation::publish_roster() {
  Event roster = proto::chat::make_event(EventKind::roster);
  roster.members = room_.member_names();
  publish(std::move(roster));
}

void ChatFederation::heartbeat() {
  heartbeat_timer_ = loop_.run_after(config_.renew_every, [this] { heartbeat(); });
  if (state_ != State::up) return;
  renew_names(/*rejoining=*/false);
  publish_roster();
  forget_silent_servers();
  act();
}

void ChatFederation::renew_names(bool rejoining) {
  const auto names = room_.member_names();
  for (std::size_t first = 0; first < names.size(); first += kRenewBatch) {
    std::vector<std::string> batch(
        names.begin() + static_cast<std::ptrdiff_t>(first),
        names.begin() + static_cast<std::ptrdiff_t>(std::min(names.size(), first + kRenewBatch)));
    std::vector<std::string> words = {"EVAL", kRenewScript, std::to_string(batch.size())};
    for (const auto& name : batch) words.push_back(name_key(name));
    words.push_back(id_);
    words.push_back(seconds_of(config_.name_expiry));
    commands_.command(words, [this, batch, rejoining](const redisReply* reply) {
      on_renewed(batch, reply);
      if (rejoining) publish_roster();  // Without the members that lost their names.
    });
  }
}

void ChatFederation::on_renewed(const std::vector<std::string>& names, const redisReply* reply) {
  if (reply == nullptr) return;  // The link is gone: renewed when it is back.
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements != names.size()) {
    return skipped("name renewal", redis::is_error(*reply) ? redis::text_of(*reply) : "odd reply");
  }
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (reply->element[i]->type == REDIS_REPLY_INTEGER && reply->element[i]->integer == 1) continue;
    const SessionId member = room_.member_named(names[i]);
    if (member == 0) continue;
    hooks_.log(fmt::format("{}'s name is held by another server now", names[i]));
    room_.name_lost(member, actions_);
  }
  act();
}

void ChatFederation::forget_silent_servers() {
  for (auto it = servers_.begin(); it != servers_.end();) {
    if (loop_.now() - it->second.last_heard < config_.name_expiry) {
      ++it;
      continue;
    }
    hooks_.log(fmt::format("heard nothing from server {} for {} s: its members are gone", it->first,
                           seconds_of(config_.name_expiry)));
    room_.remote_server_gone(it->first, actions_);
    it = servers_.erase(it);
  }
}

// Records nobody can use (garbage under the room's keys, a stranger publishing): skipped,
// and logged at most once per kSkippedLogEvery with how many were.
void ChatFederation::skipped(std::string_view what, std::string_view why) {
  ++skipped_;
  if (skipped_logged_ != TimePoint{} && loop_.now() - skipped_logged_ < kSkippedLogEvery) return;
  hooks_.log(fmt::format("skipped a bad {} from Redis ({}); {} skipped since the last such line",
                         what, why, std::exchange(skipped_, 0)));
  skipped_logged_ = loop_.now();
}

}  // namespace soket::services
