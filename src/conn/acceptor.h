// Acceptor: accepts connections from a listening socket that it watches on one loop.
//
// Several loops may watch one shared listener (EPOLLEXCLUSIVE: the kernel wakes one of
// them per connection), or each loop its own SO_REUSEPORT listener; the Acceptor does not
// own the listener either way.
//
// On EMFILE/ENFILE it sheds the connection with a spare fd (libuv's trick): otherwise the
// pending connection keeps the listener readable and the loop spins at 100 % CPU.
#pragma once

#include <functional>

#include "net/address.h"
#include "net/fd.h"
#include "reactor/event_loop.h"

namespace soket::conn {

class Acceptor final : public reactor::IoHandler {
 public:
  using OnAccept = std::function<void(net::Fd fd, const net::Address& peer)>;

  Acceptor(reactor::EventLoop& loop, int listener, bool shared, OnAccept on_accept);
  ~Acceptor();
  Acceptor(const Acceptor&) = delete;
  Acceptor& operator=(const Acceptor&) = delete;

  Result<void> start();
  void stop();

  void on_io(std::uint32_t events) noexcept override;

 private:
  void shed_one();

  reactor::EventLoop& loop_;
  int listener_;
  bool shared_;
  bool watching_ = false;
  OnAccept on_accept_;
  net::Fd spare_;
};

}  // namespace soket::conn
