// redis::Client on soket's event loop, against a real redis-server; and the --redis URL.
#include "redis/client.h"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include "reactor/event_loop.h"
#include "redis/endpoint.h"
#include "support/redis_server.h"

namespace soket::redis {
namespace {

using namespace std::chrono_literals;

TEST(RedisUrl, HostPortAndDatabase) {
  std::string why;
  auto plain = parse_url("redis://127.0.0.1:7000", why);
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->host, "127.0.0.1");
  EXPECT_EQ(plain->port, 7000);
  EXPECT_EQ(plain->database, 0);
  auto v6 = parse_url("redis://[::1]:7001/3", why);
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->database, 3);
  EXPECT_EQ(v6->to_string(), "[::1]:7001");
  auto bare = parse_url("redis://cache", why);
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->port, 6379);
}

TEST(RedisUrl, MistakesAreNamed) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"127.0.0.1:6379", "starts with redis://"},
      {"redis://:6379", "names no host"},
      {"redis://h:0", "port must be a number from 1 to 65535"},
      {"redis://h:", "port must be a number"},
      {"redis://h:6379/x", "database after '/' must be a number"},
      {"redis://::1:6379", "in brackets"},
      {"redis://[::1:6379", "closing ']'"},
  };
  for (const auto& [url, reason] : cases) {
    std::string why;
    EXPECT_FALSE(parse_url(url, why)) << url;
    EXPECT_NE(why.find(reason), std::string::npos) << url << ": " << why;
  }
}

class RedisClient : public testing::Test {
 protected:
  void SetUp() override {
    if (const auto why = test::RedisServer::unavailable(); !why.empty()) GTEST_SKIP() << why;
    ASSERT_TRUE(redis_.start());
  }
  // Runs the loop until `done` or `limit` passes (a bounded wait).
  void run_until(const std::function<bool()>& done, Duration limit = 10s) {
    const auto deadline = Clock::now() + limit;
    while (!done() && Clock::now() < deadline) {
      loop_.run_after(10ms, [this] { loop_.stop(); });
      loop_.run();
    }
  }

  test::RedisServer redis_;
  reactor::EventLoop loop_;
  bool up_ = false;
  std::string down_;
};

TEST_F(RedisClient, CommandsAndTheirRepliesOnTheLoop) {
  Client client(loop_, {[this] { up_ = true; }, [this](const std::string& why) { down_ = why; }});
  client.connect("127.0.0.1", static_cast<std::uint16_t>(redis_.port()), 2);
  run_until([&] { return up_; });
  ASSERT_TRUE(up_) << down_;
  std::string got;
  ASSERT_TRUE(client.command({"SET", "k", std::string("a\0b", 3)}, [](const redisReply*) {}));
  ASSERT_TRUE(client.command({"GET", "k"}, [&](const redisReply* reply) {
    got = reply ? std::string(text_of(*reply)) : "<none>";
  }));
  run_until([&] { return !got.empty(); });
  EXPECT_EQ(got, std::string("a\0b", 3));  // Binary-safe, and in database 2:
  EXPECT_EQ(redis_.cli({"-n", "2", "STRLEN", "k"}), "3\n");
  EXPECT_EQ(redis_.cli({"-n", "0", "EXISTS", "k"}), "0\n");
}

TEST_F(RedisClient, SubscriptionHearsPublishes) {
  Client sub(loop_, {[this] { up_ = true; }, [this](const std::string& why) { down_ = why; }});
  sub.connect("127.0.0.1", static_cast<std::uint16_t>(redis_.port()), 0);
  run_until([&] { return up_; });
  bool subscribed = false;
  std::vector<std::string> heard;
  ASSERT_TRUE(sub.subscribe(
      "ch", [&] { subscribed = true; },
      [&](std::string_view channel, std::string_view payload) {
        heard.push_back(std::string(channel) + "=" + std::string(payload));
      }));
  run_until([&] { return subscribed; });
  ASSERT_TRUE(subscribed);
  redis_.cli({"PUBLISH", "ch", "one"});
  redis_.cli({"PUBLISH", "other", "no"});
  redis_.cli({"PUBLISH", "ch", "two"});
  run_until([&] { return heard.size() >= 2; });
  EXPECT_EQ(heard, (std::vector<std::string>{"ch=one", "ch=two"}));
}

TEST_F(RedisClient, RefusedIsSaidInWords) {
  test::RedisServer nobody;  // Never started: its port is free.
  Client client(loop_, {[this] { up_ = true; }, [this](const std::string& why) { down_ = why; }});
  client.connect("127.0.0.1", static_cast<std::uint16_t>(nobody.port()), 0);
  run_until([&] { return !down_.empty(); });
  EXPECT_EQ(down_, "connection refused");
  EXPECT_FALSE(up_);
}

TEST_F(RedisClient, ALostServerCutsOffWaitingCommandsAndSaysDown) {
  Client client(loop_, {[this] { up_ = true; }, [this](const std::string& why) { down_ = why; }});
  client.connect("127.0.0.1", static_cast<std::uint16_t>(redis_.port()), 0);
  run_until([&] { return up_; });
  ASSERT_TRUE(up_);
  redis_.stop();
  bool answered_empty = false;
  client.command({"PING"}, [&](const redisReply* reply) { answered_empty = reply == nullptr; });
  run_until([&] { return !down_.empty() && answered_empty; });
  EXPECT_FALSE(down_.empty());
  EXPECT_TRUE(answered_empty);
  EXPECT_FALSE(client.is_up());
}

// A Redis that stopped answering (SIGSTOP: its socket stays open, no reset ever comes) is
// called dead by the watchdog.
TEST_F(RedisClient, ASilentServerIsCalledDeadAfterTheAnswerTimeout) {
  Client client(loop_, {[this] { up_ = true; }, [this](const std::string& why) { down_ = why; }},
                ClientTimeouts{.connect = 5s, .answer = 500ms});
  client.connect("127.0.0.1", static_cast<std::uint16_t>(redis_.port()), 0);
  run_until([&] { return up_; });
  ASSERT_TRUE(up_);
  redis_.pause();
  const auto asked = Clock::now();
  client.command({"PING"}, [](const redisReply*) {});
  run_until([&] { return !down_.empty(); });
  redis_.resume();
  EXPECT_EQ(down_, "no answer for 0.5 s");
  EXPECT_GE(Clock::now() - asked, 500ms);
}

}  // namespace
}  // namespace soket::redis
