#include "net/unix_socket.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "net/deadline_io.h"
#include "net/socket_ops.h"

namespace soket::net {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct Scratch {
  fs::path dir;
  Scratch() {
    char name[] = "/tmp/soket-unix-XXXXXX";
    dir = ::mkdtemp(name);
  }
  ~Scratch() {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }
};

bool is_socket(const std::string& path) {
  struct stat info {};
  return ::lstat(path.c_str(), &info) == 0 && S_ISSOCK(info.st_mode);
}

TEST(UnixSocket, ConnectsAndCarriesBytes) {
  Scratch scratch;
  const auto path = (scratch.dir / "s").string();
  auto listener = listen_unix(path, 4);
  ASSERT_TRUE(listener.ok()) << listener.error().message();
  EXPECT_EQ(listener->stale, StaleSocket::none);
  auto client = connect_unix(path, Clock::now() + 5s);
  ASSERT_TRUE(client.ok()) << client.error().message();
  ASSERT_TRUE(wait_ready(listener->fd.get(), POLLIN, Clock::now() + 5s).ok());
  auto accepted = try_accept(listener->fd.get());
  ASSERT_TRUE(accepted.ok());
  ASSERT_TRUE(write_all(client->get(), soket::as_bytes("hi"), Clock::now() + 5s).ok());
  std::byte got[2];
  auto n = read_some(accepted->fd.get(), got, Clock::now() + 5s);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(as_text(std::span(got).first(*n)), "hi");
}

TEST(UnixSocket, RemovesAStaleSocketFileButNotALiveOne) {
  Scratch scratch;
  const auto path = (scratch.dir / "s").string();
  {
    auto first = listen_unix(path, 4);
    ASSERT_TRUE(first.ok());
    // A live listener: the second is refused, and the file stays the first's.
    auto second = listen_unix(path, 4);
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.error(), std::errc::address_in_use);
    EXPECT_TRUE(is_socket(path));
  }  // Closed without unlink: the file is stale now.
  auto again = listen_unix(path, 4);
  ASSERT_TRUE(again.ok()) << again.error().message();
  EXPECT_EQ(again->stale, StaleSocket::removed);
  EXPECT_TRUE(connect_unix(path, Clock::now() + 5s).ok());
}

TEST(UnixSocket, NeverRemovesAFileThatIsNoSocket) {
  Scratch scratch;
  const auto path = (scratch.dir / "notes").string();
  std::ofstream(path) << "keep";
  auto listener = listen_unix(path, 4);
  ASSERT_FALSE(listener.ok());
  EXPECT_EQ(listener.error(), std::errc::file_exists);
  std::ifstream in(path);
  std::string text;
  in >> text;
  EXPECT_EQ(text, "keep");
}

TEST(UnixSocket, RefusesPathsLongerThanSunPath) {
  const std::string path = "/tmp/" + std::string(sizeof(sockaddr_un::sun_path), 'x');
  EXPECT_EQ(listen_unix(path, 4).error(), std::errc::filename_too_long);
  EXPECT_EQ(connect_unix(path, Clock::now() + 1s).error(), std::errc::filename_too_long);
  EXPECT_EQ(connect_unix("", Clock::now() + 1s).error(), std::errc::invalid_argument);
}

TEST(UnixSocket, MissingFileAndDeadSocketAreTold) {
  Scratch scratch;
  const auto missing = (scratch.dir / "none").string();
  EXPECT_EQ(connect_unix(missing, Clock::now() + 1s).error(), std::errc::no_such_file_or_directory);
  const auto dead = (scratch.dir / "dead").string();
  { ASSERT_TRUE(listen_unix(dead, 4).ok()); }
  EXPECT_EQ(connect_unix(dead, Clock::now() + 1s).error(), std::errc::connection_refused);
}

}  // namespace
}  // namespace soket::net
