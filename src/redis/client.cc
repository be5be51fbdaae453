#include "redis/client.h"

#include <fmt/core.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <poll.h>

#include <cctype>

#include "redis/loop_adapter.h"

namespace soket::redis {
namespace {

constexpr Duration kWatchdogPeriod = std::chrono::milliseconds(250);

std::string error_of(const redisAsyncContext& context, std::string_view fallback) {
  if (context.errstr != nullptr && context.errstr[0] != '\0') return lower_first(context.errstr);
  return std::string(fallback);
}

}  // namespace

struct Client::Pending {
  Client* client;
  ReplyHandler handler;
};

std::string lower_first(std::string text) {
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

std::string_view text_of(const redisReply& reply) {
  switch (reply.type) {
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
    case REDIS_REPLY_STRING:
      return {reply.str, reply.len};
    default:
      return {};
  }
}

bool is_error(const redisReply& reply) {
  return reply.type == REDIS_REPLY_ERROR;
}

Client::Client(reactor::EventLoop& loop, ClientEvents events, ClientTimeouts timeouts)
    : loop_(loop), events_(std::move(events)), timeouts_(timeouts) {}

Client::~Client() {
  destroying_ = true;
  loop_.cancel(watchdog_);
  free_context();
}

void Client::connect(const std::string& host, std::uint16_t port, int database) {
  free_context();
  loop_.cancel(watchdog_);
  redisAsyncContext* context = redisAsyncConnect(host.c_str(), port);
  if (context == nullptr) return fail("out of memory");
  if (context->err != 0) {
    std::string why = error_of(*context, "cannot connect");
    redisAsyncFree(context);
    return fail(std::move(why));
  }
  context_ = context;
  context_->data = this;
  attach(*context_, loop_);
  redisAsyncSetConnectCallback(context_, &Client::on_connect);
  redisAsyncSetDisconnectCallback(context_, &Client::on_disconnect);
  state_ = State::connecting;
  started_ = loop_.now();
  // hiredis learns that a connect finished on its first writable event.
  context_->ev.addWrite(context_->ev.data);
  // SELECT goes out first, queued before the connect completes; `up` waits for its answer.
  if (database != 0) {
    state_ = State::selecting;
    send({"SELECT", std::to_string(database)}, &Client::on_reply,
         new Pending{this, [this, database](const redisReply* reply) {
                       if (reply == nullptr) return;
                       if (is_error(*reply)) {
                         return fail("cannot use database " + std::to_string(database) + ": " +
                                     std::string(text_of(*reply)));
                       }
                       state_ = State::up;
                       if (events_.up) events_.up();
                     }});
  }
  arm_watchdog();
}

void Client::on_connect(const redisAsyncContext* context, int status) {
  auto& client = *static_cast<Client*>(context->data);
  if (status != REDIS_OK) {
    client.context_ = nullptr;  // hiredis frees it when this returns.
    if (!client.destroying_) client.fail(error_of(*context, "cannot connect"));
    return;
  }
  client.last_answer_ = client.loop_.now();
  if (client.state_ == State::connecting) {
    client.state_ = State::up;
    if (client.events_.up) client.events_.up();
  }
}

void Client::on_disconnect(const redisAsyncContext* context, int status) {
  auto& client = *static_cast<Client*>(context->data);
  client.context_ = nullptr;  // hiredis frees it when this returns.
  if (client.destroying_ || client.state_ == State::idle) return;
  client.fail(status == REDIS_OK ? "the connection was closed"
                                 : error_of(*context, "the connection was lost"));
}

void Client::on_reply(redisAsyncContext* /*context*/, void* reply, void* data) {
  std::unique_ptr<Pending> pending(static_cast<Pending*>(data));
  Client& client = *pending->client;
  if (client.unanswered_ > 0) --client.unanswered_;
  if (client.destroying_) return;
  if (reply == nullptr) {  // Cut off: answered empty, after whatever call cut it off.
    client.defer([handler = std::move(pending->handler)] { handler(nullptr); });
    return;
  }
  client.last_answer_ = client.loop_.now();
  pending->handler(static_cast<const redisReply*>(reply));
}

void Client::on_subscription(redisAsyncContext* /*context*/, void* reply, void* data) {
  auto& client = *static_cast<Client*>(data);
  if (reply == nullptr || client.destroying_ || client.state_ != State::up) return;
  const auto& message = *static_cast<const redisReply*>(reply);
  if (message.type != REDIS_REPLY_ARRAY || message.elements < 3) return;
  const std::string_view kind = text_of(*message.element[0]);
  if (kind == "subscribe") {
    if (client.unanswered_ > 0) --client.unanswered_;
    client.last_answer_ = client.loop_.now();
    if (client.subscribed_) client.subscribed_();
  } else if (kind == "message" && client.on_message_) {
    client.on_message_(text_of(*message.element[1]), text_of(*message.element[2]));
  }
}

bool Client::send(const std::vector<std::string>& words,
                  void (*callback)(redisAsyncContext*, void*, void*), void* data) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const auto& word : words) {
    argv.push_back(word.data());
    lengths.push_back(word.size());
  }
  if (unanswered_ == 0) last_answer_ = loop_.now();  // The watchdog counts from here.
  if (redisAsyncCommandArgv(context_, callback, data, static_cast<int>(argv.size()), argv.data(),
                            lengths.data()) != REDIS_OK) {
    return false;
  }
  ++unanswered_;
  return true;
}

bool Client::command(const std::vector<std::string>& words, ReplyHandler done) {
  if (state_ != State::up || context_ == nullptr) return false;
  auto* pending = new Pending{this, std::move(done)};
  if (send(words, &Client::on_reply, pending)) return true;
  delete pending;
  return false;
}

bool Client::subscribe(const std::string& channel, std::function<void()> subscribed,
                       MessageHandler on_message) {
  if (state_ != State::up || context_ == nullptr) return false;
  subscribed_ = std::move(subscribed);
  on_message_ = std::move(on_message);
  return send({"SUBSCRIBE", channel}, &Client::on_subscription, this);
}

void Client::flush(Duration limit) {
  if (state_ != State::up || context_ == nullptr) return;
  const TimePoint deadline = Clock::now() + limit;
  int done = 0;
  while (done == 0 && redisBufferWrite(&context_->c, &done) == REDIS_OK) {
    if (done != 0) return;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return;
    pollfd ready{context_->c.fd, POLLOUT, 0};
    if (::poll(&ready, 1, static_cast<int>(left.count())) <= 0) return;
  }
}

void Client::disconnect() {
  loop_.cancel(watchdog_);
  free_context();
}

void Client::free_context() {
  state_ = State::idle;
  unanswered_ = 0;
  if (context_ == nullptr) return;
  redisAsyncContext* context = context_;
  context_ = nullptr;
  // Every command still waiting is answered with nullptr (deferred: see on_reply).
  redisAsyncFree(context);
}

void Client::fail(std::string why) {
  if (state_ == State::idle) return;
  loop_.cancel(watchdog_);
  free_context();
  defer([this, why = std::move(why)] {
    if (events_.down) events_.down(why);
  });
}

void Client::defer(std::function<void()> task) {
  loop_.defer([alive = std::weak_ptr<bool>(alive_), task = std::move(task)] {
    if (alive.lock()) task();
  });
}

void Client::arm_watchdog() {
  watchdog_ = loop_.run_after(kWatchdogPeriod, [this] { watch(); });
}

void Client::watch() {
  const TimePoint now = loop_.now();
  if (state_ == State::connecting || state_ == State::selecting) {
    if (now - started_ >= timeouts_.connect) return fail("timed out");
  } else if (state_ == State::up && unanswered_ > 0 && now - last_answer_ >= timeouts_.answer) {
    return fail(fmt::format("no answer for {:g} s",
                            std::chrono::duration<double>(timeouts_.answer).count()));
  }
  if (state_ != State::idle) arm_watchdog();
}

}  // namespace soket::redis
