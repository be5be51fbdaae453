// BenchPubSub: one member of a chat room kept by Redis pub/sub, the peer of `soket bench chat
// --protocol redis`. As a Redis chat client does: one connection SUBSCRIBEs to the room's
// channel and receives every message; the member's other connection PUBLISHes its own (a
// subscribed RESP2 connection may not publish). A message is back when the subscriber receives
// it; every member's message received on the way counts as a delivery. hiredis's reader parses
// the replies (RESP). Loop-thread only.
#pragma once

#include <cstdint>
#include <string>

#include "clients/detail/bench_context.h"
#include "clients/detail/bench_schedule.h"
#include "core/buffer.h"
#include "net/fd.h"
#include "reactor/event_loop.h"

struct redisReader;

namespace soket::clients::detail {

class BenchPubSub {
 public:
  BenchPubSub(reactor::EventLoop& loop, BenchContext& context, net::Fd subscriber,
              net::Fd publisher, std::size_t index);
  ~BenchPubSub();
  BenchPubSub(const BenchPubSub&) = delete;
  BenchPubSub& operator=(const BenchPubSub&) = delete;

  Result<void> start();
  std::uint64_t window_messages() const { return schedule_.window_messages(); }
  bool open() const { return subscriber_.fd.valid(); }

 private:
  // One of the member's two connections.
  struct Side final : reactor::IoHandler {
    Side(BenchPubSub& owner, net::Fd socket);
    ~Side();
    void on_io(std::uint32_t events) noexcept override { member.on_io(*this, events); }
    BenchPubSub& member;
    net::Fd fd;
    redisReader* reader;
    Buffer output;
    bool connected = false;
    bool waiting_for_output = true;  // Watched for EPOLLOUT (connecting, or output queued).
  };

  void on_io(Side& side, std::uint32_t events);
  void on_connected(Side& side);
  void read_replies(Side& side);
  void on_subscriber_reply(const void* reply);
  void on_publisher_reply(const void* reply);
  void pump();
  void flush(Side& side);
  void fail(FailureKind kind, std::error_code error = {});

  reactor::EventLoop& loop_;
  BenchContext& context_;
  Side subscriber_, publisher_;
  bool subscribed_ = false;
  bool running_ = false;
  std::string name_, text_, expected_;
  RequestSchedule schedule_;
};

}  // namespace soket::clients::detail
