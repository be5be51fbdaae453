#include "redis/probe.h"

#include "redis/client.h"

#include <hiredis/hiredis.h>

#include <memory>

namespace soket::redis {
namespace {

struct ContextFree {
  void operator()(redisContext* context) const { redisFree(context); }
};
struct ReplyFree {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};

// The error of a context, or of a reply that is missing or an error.
std::optional<std::string> failure_of(redisContext& context, redisReply* reply) {
  if (reply == nullptr) {
    return lower_first(context.errstr[0] != '\0' ? context.errstr : "no answer");
  }
  if (reply->type == REDIS_REPLY_ERROR) return std::string(reply->str, reply->len);
  return std::nullopt;
}

}  // namespace

std::optional<std::string> probe(const std::string& host, std::uint16_t port, int database,
                                 Duration timeout) {
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(timeout).count();
  const timeval limit{static_cast<time_t>(micros / 1'000'000),
                      static_cast<suseconds_t>(micros % 1'000'000)};
  std::unique_ptr<redisContext, ContextFree> context(
      redisConnectWithTimeout(host.c_str(), port, limit));
  if (!context) return "out of memory";
  if (context->err != 0) {
    // hiredis says "Connection timed out" for its own connect timeout too.
    return lower_first(context->errstr);
  }
  redisSetTimeout(context.get(), limit);
  const std::string select = std::to_string(database);
  const char* select_words[] = {"SELECT", select.c_str()};
  if (database != 0) {
    std::unique_ptr<redisReply, ReplyFree> reply(
        static_cast<redisReply*>(redisCommandArgv(context.get(), 2, select_words, nullptr)));
    if (auto failure = failure_of(*context, reply.get())) {
      return "cannot use database " + select + ": " + *failure;
    }
  }
  const char* ping[] = {"PING"};
  std::unique_ptr<redisReply, ReplyFree> reply(
      static_cast<redisReply*>(redisCommandArgv(context.get(), 1, ping, nullptr)));
  return failure_of(*context, reply.get());
}

}  // namespace soket::redis
