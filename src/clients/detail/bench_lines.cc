#include "clients/detail/bench_lines.h"

#include <sys/epoll.h>

#include "clients/detail/bench_chat_message.h"
#include "net/socket_ops.h"
#include "proto/chat/client_lines.h"

namespace soket::clients::detail {
namespace {

// Letters of both cases (so the transform inverts every one), then its reply's start.
std::string make_text(std::size_t size, std::size_t index) {
  std::string text(size, 'a');
  for (std::size_t i = 0; i < size; ++i) {
    const char base = (i + index) % 2 == 0 ? 'a' : 'A';
    text[i] = static_cast<char>(base + (i * 7 + index) % 26);
  }
  return text;
}

std::string inverted(std::string text) {
  for (char& c : text) c = static_cast<char>(c ^ 0x20);  // ASCII letters only, by make_text.
  return text;
}

}  // namespace

BenchLines::BenchLines(reactor::EventLoop& loop, BenchContext& context, net::Fd fd,
                       std::size_t index)
    : loop_(loop),
      context_(context),
      fd_(std::move(fd)),
      chat_(context.config.workload == Workload::chat),
      ncat_(chat_ && context.config.chat_protocol == ChatProtocol::ncat),
      name_("m" + std::to_string(index)),
      schedule_(context, index,
                [this] {
                  if (!open()) return;
                  pump();
                  flush();
                }),
      framer_(1 << 20) {
  if (ncat_) context_.members_by_name[name_] = this;
  const std::size_t size = std::max<std::size_t>(1, context.config.message_size);
  text_ = make_text(size, index);
  if (!chat_) {
    expected_ = inverted(text_) + " | " + std::to_string(size) + " karakter | ";
  }
}

BenchLines::~BenchLines() {
  if (ncat_) context_.members_by_name.erase(name_);
  if (fd_.valid()) loop_.unwatch(fd_.get());
}

Result<void> BenchLines::start() {
  return loop_.watch(fd_.get(), EPOLLIN | EPOLLOUT, this);
}

// Lines are queued as they are made and written once per wake-up, like the echo load's
// pipelined messages: a write per line would make the load, not the server, the bottleneck.
void BenchLines::on_io(std::uint32_t events) noexcept {
  if (step_ == Step::connecting) {
    if (auto error = net::pending_error(fd_.get()); error || (events & EPOLLERR) != 0) {
      return fail(FailureKind::connect, error);
    }
    on_connected();
  }
  if (open() && (events & (EPOLLIN | EPOLLHUP)) != 0) read_lines();
  if (open()) flush();
}

void BenchLines::read_lines() {
  auto got = input_.read_from_fd(fd_.get(), 256 * 1024);
  if (!got) {
    if (!net::is_would_block(got.error())) fail(FailureKind::io, got.error());
    return;
  }
  if (*got == 0) return fail(FailureKind::closed);
  for (;;) {
    const auto event = framer_.next(input_.readable_text());
    if (event.kind == proto::line::LineFramer::Kind::line) on_line(event.line);
    if (event.kind == proto::line::LineFramer::Kind::too_long) fail(FailureKind::integrity);
    if (!open()) return;
    input_.consume(event.consumed);
    if (event.kind == proto::line::LineFramer::Kind::need_more) break;
  }
}

void BenchLines::flush() {
  if (!output_.empty()) {
    auto written = net::try_write(fd_.get(), output_.readable());
    if (written) output_.consume(*written);
    if (!written && !net::is_would_block(written.error())) {
      return fail(FailureKind::io, written.error());
    }
  }
  const bool waiting = !output_.empty();  // For the socket to take the rest.
  if (waiting != waiting_for_output_) {
    (void)loop_.modify(fd_.get(), waiting ? EPOLLIN | EPOLLOUT : EPOLLIN);
    waiting_for_output_ = waiting;
  }
}

void BenchLines::on_connected() {
  (void)loop_.modify(fd_.get(), EPOLLIN);
  waiting_for_output_ = false;
  if (!chat_ || ncat_) return running();
  step_ = Step::password;
  send_line(proto::chat::password_line(context_.config.password));
}

void BenchLines::on_line(std::string_view line) {
  switch (step_) {
    case Step::password:
    case Step::username:
      return on_login_reply(line);
    case Step::running:
      return chat_ ? on_chat_line(line) : on_transform_reply(line);
    case Step::connecting:
      return;
  }
}

void BenchLines::on_login_reply(std::string_view line) {
  if (step_ == Step::password) {
    // The room said no: permission_denied, so the CLI can say so rather than "refused".
    if (proto::chat::classify_password_reply(line) != proto::chat::PasswordReply::ok) {
      return fail(FailureKind::connect, std::make_error_code(std::errc::permission_denied));
    }
    step_ = Step::username;
    return send_line(proto::chat::username_line(name_));
  }
  if (proto::chat::classify_name_reply(line) != proto::chat::NameReply::ok) {
    return fail(FailureKind::connect, std::make_error_code(std::errc::permission_denied));
  }
  running();
}

void BenchLines::running() {
  step_ = Step::running;
  context_.open.fetch_add(1, std::memory_order_relaxed);
  context_.ever_connected.fetch_add(1, std::memory_order_relaxed);
  context_.settled.fetch_add(1, std::memory_order_relaxed);
  pump();
}

void BenchLines::pump() {
  // Chat: one message in flight, since its return is matched to the last one sent.
  const std::size_t pipeline = chat_ ? 1 : static_cast<std::size_t>(context_.config.pipeline);
  schedule_.pump(pipeline, [this](TimePoint now, std::uint64_t number) {
    if (chat_) {
      expected_ = chat_message(name_, number, now, text_);
      send_line(expected_);
    } else {
      send_line(text_);
    }
  });
}

void BenchLines::on_transform_reply(std::string_view line) {
  constexpr std::string_view kTail = " | Data telah diproses";
  const bool exact = line.substr(0, expected_.size()) == expected_ &&
                     line.size() == expected_.size() + 19 + kTail.size() &&
                     line.substr(line.size() - kTail.size()) == kTail;
  if (!exact || !schedule_.in_flight()) return fail(FailureKind::integrity);
  schedule_.complete(text_.size());
  pump();
}

void BenchLines::on_chat_line(std::string_view line) {
  if (ncat_) return on_relayed_line(line);
  on_member_message(line);
  if (line == expected_ && schedule_.in_flight()) {
    on_returned();
  } else if (line.substr(0, 6) == "ERROR ") {
    fail(FailureKind::integrity);
  }
}

// ncat --chat relays "<userN> line" to every member but its sender, and announces arrivals
// and departures as "<announce> ...".
void BenchLines::on_relayed_line(std::string_view line) {
  if (line.substr(0, 11) == "<announce> ") return;
  const auto end = line.find("> ");
  if (line.substr(0, 1) != "<" || end == std::string_view::npos)
    return fail(FailureKind::integrity);
  const auto message = line.substr(end + 2);
  on_member_message(message);
  // The first member here to receive it confirms it; the others find the sender waiting on
  // a later message (each is unique), or the sender on another thread.
  const auto sender =
      context_.members_by_name.find(std::string(message.substr(0, message.find(':'))));
  if (sender == context_.members_by_name.end()) return;
  BenchLines& author = *sender->second;
  if (author.open() && author.schedule_.in_flight() && message == author.expected_) {
    author.on_returned();
    author.flush();
  }
}

void BenchLines::on_member_message(std::string_view message) {
  if (is_member_message(message) && context_.counting()) {
    context_.count_delivery(sent_ago(message));
  }
}

void BenchLines::on_returned() {
  schedule_.complete(text_.size());
  pump();
}

void BenchLines::send_line(const std::string& line) {
  output_.append(line);
  output_.append("\n");
}

void BenchLines::fail(FailureKind kind, std::error_code error) {
  if (!open()) return;
  // A connection that never reached the running step was never made (refused, or the
  // room said no to its login).
  const bool running = step_ == Step::running;
  if (!running && kind != FailureKind::integrity) kind = FailureKind::connect;
  context_.count_failure(kind, running, error);
  loop_.unwatch(fd_.get());
  fd_.reset();
}

}  // namespace soket::clients::detail
