#include "clients/detail/bench_pubsub.h"

#include <hiredis/hiredis.h>
#include <sys/epoll.h>

#include <new>

#include "clients/detail/bench_chat_message.h"
#include "net/socket_ops.h"

namespace soket::clients::detail {
namespace {

constexpr std::string_view kChannel = "soket-bench";

// A RESP2 command: an array of bulk strings.
void append_command(Buffer& output, std::initializer_list<std::string_view> words) {
  output.append("*" + std::to_string(words.size()) + "\r\n");
  for (const auto word : words) {
    output.append("$" + std::to_string(word.size()) + "\r\n");
    output.append(word);
    output.append("\r\n");
  }
}

std::string_view text_of(const redisReply& reply) {
  return {reply.str, static_cast<std::size_t>(reply.len)};
}

// ["message", channel, payload] or ["subscribe", channel, count].
bool is_push(const redisReply& reply, std::string_view kind) {
  return reply.type == REDIS_REPLY_ARRAY && reply.elements == 3 &&
         reply.element[0]->type == REDIS_REPLY_STRING && text_of(*reply.element[0]) == kind &&
         reply.element[1]->type == REDIS_REPLY_STRING && text_of(*reply.element[1]) == kChannel;
}

}  // namespace

BenchPubSub::Side::Side(BenchPubSub& owner, net::Fd socket)
    : member(owner), fd(std::move(socket)), reader(redisReaderCreate()) {
  if (reader == nullptr) throw std::bad_alloc();
}

BenchPubSub::Side::~Side() {
  redisReaderFree(reader);
}

BenchPubSub::BenchPubSub(reactor::EventLoop& loop, BenchContext& context, net::Fd subscriber,
                         net::Fd publisher, std::size_t index)
    : loop_(loop),
      context_(context),
      subscriber_(*this, std::move(subscriber)),
      publisher_(*this, std::move(publisher)),
      name_("m" + std::to_string(index)),
      text_(std::max<std::size_t>(1, context.config.message_size), 'x'),
      schedule_(context, index, [this] {
        if (!open()) return;
        pump();
        flush(publisher_);
      }) {}

BenchPubSub::~BenchPubSub() {
  if (subscriber_.fd.valid()) loop_.unwatch(subscriber_.fd.get());
  if (publisher_.fd.valid()) loop_.unwatch(publisher_.fd.get());
}

Result<void> BenchPubSub::start() {
  if (auto watched = loop_.watch(subscriber_.fd.get(), EPOLLIN | EPOLLOUT, &subscriber_);
      !watched) {
    return watched;
  }
  return loop_.watch(publisher_.fd.get(), EPOLLIN | EPOLLOUT, &publisher_);
}

void BenchPubSub::on_io(Side& side, std::uint32_t events) {
  if (!side.connected) {
    if (auto error = net::pending_error(side.fd.get()); error || (events & EPOLLERR) != 0) {
      return fail(FailureKind::connect, error);
    }
    on_connected(side);
  }
  if (open() && (events & (EPOLLIN | EPOLLHUP)) != 0) read_replies(side);
  if (open()) flush(side);
}

void BenchPubSub::on_connected(Side& side) {
  side.connected = true;
  (void)loop_.modify(side.fd.get(), EPOLLIN);
  side.waiting_for_output = false;
  if (&side == &subscriber_) append_command(side.output, {"SUBSCRIBE", kChannel});
  if (&side == &publisher_ && running_) pump();  // Subscribed first: the login is complete.
}

void BenchPubSub::read_replies(Side& side) {
  auto& scratch = context_.scratch;
  const auto got = net::try_read(side.fd.get(), scratch);
  if (!got) {
    if (!net::is_would_block(got.error())) fail(FailureKind::io, got.error());
    return;
  }
  if (*got == 0) return fail(FailureKind::closed);
  if (redisReaderFeed(side.reader, reinterpret_cast<const char*>(scratch.data()), *got) !=
      REDIS_OK) {
    return fail(FailureKind::integrity);
  }
  for (;;) {
    void* reply = nullptr;
    if (redisReaderGetReply(side.reader, &reply) != REDIS_OK) return fail(FailureKind::integrity);
    if (reply == nullptr) return;
    if (&side == &subscriber_) {
      on_subscriber_reply(reply);
    } else {
      on_publisher_reply(reply);
    }
    freeReplyObject(reply);
    if (!open()) return;
  }
}

void BenchPubSub::on_subscriber_reply(const void* data) {
  const auto& reply = *static_cast<const redisReply*>(data);
  if (is_push(reply, "message") && reply.element[2]->type == REDIS_REPLY_STRING) {
    const auto message = text_of(*reply.element[2]);
    if (is_member_message(message) && context_.counting()) {
      context_.count_delivery(sent_ago(message));
    }
    if (running_ && schedule_.in_flight() && message == expected_) {
      schedule_.complete(text_.size());
      pump();
      flush(publisher_);
    }
  } else if (is_push(reply, "subscribe") && !subscribed_) {
    subscribed_ = true;
    running_ = true;
    context_.open.fetch_add(1, std::memory_order_relaxed);
    context_.ever_connected.fetch_add(1, std::memory_order_relaxed);
    context_.settled.fetch_add(1, std::memory_order_relaxed);
    pump();
    flush(publisher_);
  } else {
    fail(FailureKind::integrity);
  }
}

// PUBLISH answers with the number of subscribers that got the message.
void BenchPubSub::on_publisher_reply(const void* data) {
  const auto& reply = *static_cast<const redisReply*>(data);
  if (reply.type != REDIS_REPLY_INTEGER || reply.integer < 1) fail(FailureKind::integrity);
}

void BenchPubSub::pump() {
  if (!publisher_.connected) return;  // Its connect completes the login, and pumps then.
  schedule_.pump(1, [this](TimePoint now, std::uint64_t number) {
    expected_ = chat_message(name_, number, now, text_);
    append_command(publisher_.output, {"PUBLISH", kChannel, expected_});
  });
}

void BenchPubSub::flush(Side& side) {
  if (!side.output.empty() && side.connected) {
    auto written = net::try_write(side.fd.get(), side.output.readable());
    if (written) side.output.consume(*written);
    if (!written && !net::is_would_block(written.error())) {
      return fail(FailureKind::io, written.error());
    }
  }
  const bool waiting = !side.connected || !side.output.empty();
  if (waiting != side.waiting_for_output) {
    (void)loop_.modify(side.fd.get(), waiting ? EPOLLIN | EPOLLOUT : EPOLLIN);
    side.waiting_for_output = waiting;
  }
}

void BenchPubSub::fail(FailureKind kind, std::error_code error) {
  if (!open()) return;
  if (!running_ && kind != FailureKind::integrity) kind = FailureKind::connect;
  context_.count_failure(kind, running_, error);
  for (Side* side : {&subscriber_, &publisher_}) {
    if (side->fd.valid()) loop_.unwatch(side->fd.get());
    side->fd.reset();
  }
}

}  // namespace soket::clients::detail
