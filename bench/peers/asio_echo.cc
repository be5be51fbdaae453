// Asio's idiomatic echo servers (the shape of its async_tcp_echo_server and
// async_udp_echo_server examples), standalone Asio from libasio-dev.
// Usage: asio_echo PORT [udp]
#include <asio.hpp>
#include <cstdlib>
#include <cstring>
#include <memory>

using asio::ip::tcp;
using asio::ip::udp;

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket socket) : socket_(std::move(socket)) {}
  void start() { do_read(); }

 private:
  void do_read() {
    auto self(shared_from_this());
    socket_.async_read_some(asio::buffer(data_, kMax), [this, self](std::error_code ec, std::size_t n) {
      if (!ec) do_write(n);
    });
  }
  void do_write(std::size_t n) {
    auto self(shared_from_this());
    asio::async_write(socket_, asio::buffer(data_, n), [this, self](std::error_code ec, std::size_t) {
      if (!ec) do_read();
    });
  }
  static constexpr std::size_t kMax = 1024;
  tcp::socket socket_;
  char data_[kMax];
};

void do_accept(tcp::acceptor& acceptor) {
  acceptor.async_accept([&acceptor](std::error_code ec, tcp::socket socket) {
    if (!ec) std::make_shared<Session>(std::move(socket))->start();
    do_accept(acceptor);
  });
}

class UdpServer {
 public:
  UdpServer(asio::io_context& io, unsigned short port)
      : socket_(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), port)) { do_receive(); }

 private:
  void do_receive() {
    socket_.async_receive_from(asio::buffer(data_, kMax), sender_, [this](std::error_code ec, std::size_t n) {
      if (!ec && n > 0) {
        do_send(n);
      } else {
        do_receive();
      }
    });
  }
  void do_send(std::size_t n) {
    socket_.async_send_to(asio::buffer(data_, n), sender_, [this](std::error_code, std::size_t) { do_receive(); });
  }
  static constexpr std::size_t kMax = 65536;
  udp::socket socket_;
  udp::endpoint sender_;
  char data_[kMax];
};

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  const auto port = static_cast<unsigned short>(std::atoi(argv[1]));
  asio::io_context io;
  if (argc > 2 && std::strcmp(argv[2], "udp") == 0) {
    UdpServer server(io, port);
    io.run();
    return 0;
  }
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  do_accept(acceptor);
  io.run();
}
