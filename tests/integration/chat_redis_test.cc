// soket chat server --redis: one room served by several servers through a real redis-server
// on loopback (the cross-host tests, in network namespaces, are in chat_netns_test.cc).
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <regex>
#include <thread>

#include "integration/chat_peer.h"
#include "support/child_process.h"
#include "support/redis_server.h"
#include "support/test_backend.h"

namespace soket::test {
namespace {

class ChatRedis : public testing::Test {
 protected:
  void SetUp() override {
    if (const auto why = RedisServer::unavailable(); !why.empty()) GTEST_SKIP() << why;
    ASSERT_TRUE(redis_.start()) << "redis-server did not start";
    password_file_ = "/tmp/soket-chat-redis-" + std::to_string(::getpid()) + ".txt";
    std::ofstream(password_file_) << kPassword << "\n";
  }
  void TearDown() override { ::unlink(password_file_.c_str()); }

  std::vector<std::string> server_args(std::vector<std::string> extra) const {
    std::vector<std::string> args = {"chat",         "server",  "-p",        "0", "--password-file",
                                     password_file_, "--redis", redis_.url()};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  StartedServer start(const std::string& name, std::vector<std::string> extra = {}) {
    extra.insert(extra.end(), {"--server-name", name});
    auto server = start_soket_server(server_args(extra));
    server.process->wait_for_line("(udp)");
    return server;
  }
  std::string key(const std::string& name) const { return "soket:chat:lobby:name:" + name; }
  // Alpha and beta with `extra`, ani on alpha and budi on beta (over the transports given),
  // budi first, and ani's join seen by budi.
  struct Room {
    StartedServer alpha, beta;
    std::unique_ptr<Peer> ani, budi;
  };
  Room two_servers(const std::vector<std::string>& extra,
                   net::Transport ani_via = net::Transport::tcp,
                   net::Transport budi_via = net::Transport::tcp) {
    Room room{start("alpha", extra), start("beta", extra), nullptr, nullptr};
    room.ani = std::make_unique<Peer>(room.alpha.port, ani_via);
    room.budi = std::make_unique<Peer>(room.beta.port, budi_via);
    room.budi->join("budi");
    room.ani->join("ani");
    EXPECT_TRUE(room.budi->expect("ani joined the chat room.", 10s));
    return room;
  }

  RedisServer redis_;
  std::string password_file_;
};

TEST_F(ChatRedis, MembersOfTwoServersShareOneRoom) {
  auto room = two_servers({}, net::Transport::tcp, net::Transport::udp);
  auto& ani = *room.ani;
  auto& budi = *room.budi;

  // budi's join event may reach alpha after ani joined (it crosses Redis on another
  // connection than ani's claim): lines before each member's first message are skipped.
  ani.send("halo dari alpha");
  EXPECT_EQ(budi.next(10s), "ani: halo dari alpha");
  EXPECT_TRUE(ani.expect("ani: halo dari alpha"));
  budi.send("halo dari beta");
  EXPECT_TRUE(ani.expect("budi: halo dari beta", 10s));
  EXPECT_EQ(budi.next(), "budi: halo dari beta");  // Once: not also back through Redis.

  budi.send("/who");
  EXPECT_EQ(budi.next(), "members (2): ani@alpha budi@beta");
  ani.send("/msg budi rahasia");
  EXPECT_EQ(budi.next(10s), "[private] ani: rahasia");
  ani.send("/msg nobody x");
  EXPECT_EQ(ani.next(), "ERROR no such member: nobody");
  // The name was claimed in Redis by alpha: the key holds its server's id, for the default
  // expiry of 30 s at most (renewed every 10 s).
  EXPECT_NE(redis_.cli({"GET", key("ani")}), "\n");
  const auto ttl = std::stoi(redis_.cli({"TTL", key("ani")}));
  EXPECT_GT(ttl, 15);
  EXPECT_LE(ttl, 30);
  ani.close();
  EXPECT_TRUE(budi.expect("ani left the chat room.", 10s));
  // Its name goes back to the room at once, not at its expiry.
  EXPECT_EQ(redis_.cli({"EXISTS", key("ani")}), "0\n");
}

TEST_F(ChatRedis, OrderOfOneServersMessagesIsKept) {
  auto room = two_servers({});
  auto &ani = *room.ani, &budi = *room.budi;
  std::string burst;
  for (int i = 0; i < 20; ++i) burst += "line " + std::to_string(i) + "\n";
  ani.send_raw(burst);  // Within the rate limit's burst of 20.
  for (int i = 0; i < 20; ++i) ASSERT_EQ(budi.next(10s), "ani: line " + std::to_string(i));
}

// 50 members ask for one name at the same moment, half on each server, in every case: Redis
// gives it to exactly one.
TEST_F(ChatRedis, NamesAreUniqueAcrossServersUnderARace) {
  auto alpha = start("alpha"), beta = start("beta");
  std::vector<std::unique_ptr<Peer>> peers;
  for (int i = 0; i < 50; ++i) {
    peers.push_back(std::make_unique<Peer>(i % 2 ? beta.port : alpha.port, net::Transport::tcp));
    peers.back()->send(std::string("PASSWORD ") + kPassword);
    ASSERT_EQ(peers.back()->next(), "PASSWORD OK");
  }
  for (int i = 0; i < 50; ++i) peers[i]->send(i % 3 ? "USERNAME Rebutan" : "USERNAME rebutan");
  int granted = 0, taken = 0;
  for (auto& peer : peers) {
    const auto answer = peer->next(20s);
    granted += answer == "USERNAME OK";
    taken += answer == "USERNAME TAKEN";
  }
  EXPECT_EQ(granted, 1);
  EXPECT_EQ(taken, 49);
}

TEST_F(ChatRedis, HistoryComesFirstMarkedAndNeverTwice) {
  auto alpha = start("alpha"), beta = start("beta", {"--history", "3"});
  Peer ani(alpha.port, net::Transport::tcp);
  ani.join("ani");
  // cici on beta shows when beta has seen every message live: a record that reached the
  // history before beta's subscription delivered it is kept out of the history (it comes
  // live), so without her budi's history could rightly end early.
  Peer cici(beta.port, net::Transport::tcp);
  cici.join("cici");
  ASSERT_TRUE(ani.expect("cici joined the chat room.", 10s));
  for (int i = 1; i <= 5; ++i) {
    ani.send("pesan " + std::to_string(i));
    ASSERT_EQ(ani.next(), "ani: pesan " + std::to_string(i));
  }
  ASSERT_TRUE(cici.expect("ani: pesan 5", 10s));
  Peer budi(beta.port, net::Transport::tcp);
  budi.send(std::string("PASSWORD ") + kPassword);
  ASSERT_EQ(budi.next(), "PASSWORD OK");
  budi.send("USERNAME budi");
  EXPECT_EQ(budi.next(10s), "USERNAME OK");
  EXPECT_EQ(budi.next(), "[history] ani: pesan 3");
  EXPECT_EQ(budi.next(), "[history] ani: pesan 4");
  EXPECT_EQ(budi.next(), "[history] ani: pesan 5");
  EXPECT_EQ(budi.next(), "budi joined the chat room.");
  ani.send("pesan 6");
  EXPECT_EQ(budi.next(10s), "ani: pesan 6");
  budi.send("/who");
  EXPECT_EQ(budi.next(), "members (3): ani@alpha budi@beta cici@beta");
}

TEST_F(ChatRedis, UnreachableRedisIsOneLineAndItsOwnExitCode) {
  RedisServer never;  // Its port is free: nothing listens there.
  auto args = with_test_backend(
      {"chat", "server", "-p", "0", "--password-file", password_file_, "--redis", never.url()});
  args.insert(args.begin(), soket_binary());
  const auto result = run(args);
  EXPECT_EQ(result.exit_code, 18);
  EXPECT_EQ(result.err, "soket: cannot reach Redis at 127.0.0.1:" + std::to_string(never.port()) +
                            ": connection refused\n");
  EXPECT_EQ(result.out.find("listening on"), std::string::npos) << result.out;
}

TEST_F(ChatRedis, RedisFlagsAreCheckedBeforeAnything) {
  const auto bad_url = run({soket_binary(), "chat", "server", "-p", "0", "--password-file",
                            password_file_, "--redis", "localhost:6379"});
  EXPECT_EQ(bad_url.exit_code, 2);
  EXPECT_NE(bad_url.err.find("a Redis URL starts with redis://"), std::string::npos) << bad_url.err;
  const auto alone = run({soket_binary(), "chat", "server", "-p", "0", "--password-file",
                          password_file_, "--history", "5"});
  EXPECT_EQ(alone.exit_code, 2);
  EXPECT_NE(alone.err.find("need --redis URL"), std::string::npos) << alone.err;
}

// Redis stops: each server's members go on among themselves, told once; Redis comes back
// (empty: no persistence): names are claimed again and the room is whole.
TEST_F(ChatRedis, RedisLostAndBackSplitsAndHealsTheRoom) {
  auto alpha = start("alpha"), beta = start("beta");
  Peer ani(alpha.port, net::Transport::tcp), adi(alpha.port, net::Transport::udp),
      budi(beta.port, net::Transport::tcp);
  ani.join("ani");
  adi.join("adi");
  budi.join("budi");
  ASSERT_TRUE(ani.expect("budi joined the chat room.", 10s));

  redis_.stop();
  const std::string split =
      "the room is split: members on other servers are out of reach, and what you send now "
      "reaches only this server's members";
  EXPECT_TRUE(ani.expect(split, 20s));
  EXPECT_TRUE(adi.expect(split, 20s));
  EXPECT_TRUE(budi.expect(split, 20s));
  EXPECT_TRUE(alpha.process->wait_for_line("the room is split", 5s));
  ani.send("masih di sini");
  EXPECT_TRUE(adi.expect("ani: masih di sini"));
  ani.send("/who");
  EXPECT_TRUE(ani.expect("members (2): adi@alpha ani@alpha"));

  ASSERT_TRUE(redis_.start());
  EXPECT_TRUE(ani.expect("the room is whole again", 30s));
  EXPECT_TRUE(budi.expect("the room is whole again", 30s));
  // The names are held in the new Redis again.
  for (int i = 0; i < 100 && redis_.cli({"EXISTS", key("budi")}) != "1\n"; ++i) {
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(redis_.cli({"EXISTS", key("ani")}), "1\n");
  EXPECT_EQ(redis_.cli({"EXISTS", key("budi")}), "1\n");
  // Rosters come back with the link, so /who is whole again too.
  bool whole = false;
  for (int i = 0; i < 100 && !whole; ++i) {
    budi.send("/who");
    whole = budi.next() == "members (3): adi@alpha ani@alpha budi@beta";
    if (!whole) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(whole);
  budi.send("sudah pulih");
  EXPECT_TRUE(ani.expect("budi: sudah pulih", 10s));
  // One line when the link went, one when it came back: none per retry.
  EXPECT_TRUE(alpha.process->wait_for_line("is back: the room is whole again", 10s));
  const std::string& log = alpha.process->out();
  EXPECT_EQ(std::count_if(log.begin(), log.end(),
                          [&, at = std::size_t{0}](char) mutable {
                            const auto found = log.find("lost Redis", at);
                            if (found == std::string::npos) return false;
                            at = found + 1;
                            return true;
                          }),
            1);
}

// A server stopped (SIGSTOP) past the expiry is silent, like a dead one: the others forget
// its members, and its names can be taken. When it wakes, renewing finds the name held
// elsewhere: its member is told and dropped (Redis's holder keeps the name).
TEST_F(ChatRedis, ServerSilentPastTheExpiryLosesItsNames) {
  auto room = two_servers({"--name-expiry", "2"});
  auto &alpha = room.alpha, &beta = room.beta;
  auto &ani = *room.ani, &budi = *room.budi;
  alpha.process->send_signal(SIGSTOP);
  EXPECT_TRUE(budi.expect("ani left the chat room.", 20s));
  Peer other(beta.port, net::Transport::tcp);
  other.send(std::string("PASSWORD ") + kPassword);
  ASSERT_EQ(other.next(), "PASSWORD OK");
  bool claimed = false;  // Once the key expired in Redis (at most 2 s after the last renewal).
  for (int i = 0; i < 100 && !claimed; ++i) {
    other.send("USERNAME ani");
    claimed = other.next(10s) == "USERNAME OK";
    if (!claimed) std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(claimed);
  alpha.process->send_signal(SIGCONT);
  EXPECT_TRUE(ani.expect(
      "ERROR your name ani is held by another server now; join again with another name", 20s));
  EXPECT_EQ(ani.next(10s), "<closed>");
  EXPECT_EQ(redis_.cli({"GET", key("ani")}), redis_.cli({"GET", key("budi")}));  // Beta's.
}

TEST_F(ChatRedis, KilledServersMembersLeaveWithinTheExpiryAndARestartJoinsAgain) {
  auto room = two_servers({"--name-expiry", "3"});
  auto& alpha = room.alpha;
  auto& budi = *room.budi;
  alpha.process->send_signal(SIGKILL);
  alpha.process->wait_exit();
  // Beta forgets alpha once it heard nothing for its expiry; the name expires after alpha's.
  EXPECT_TRUE(budi.expect("ani left the chat room.", 20s));
  auto again = start("alpha");
  Peer ani2(again.port, net::Transport::tcp);
  ani2.join("ani");
  EXPECT_TRUE(budi.expect("ani joined the chat room.", 10s));
  ani2.send("kembali");
  EXPECT_TRUE(budi.expect("ani: kembali", 10s));
}

TEST_F(ChatRedis, StoppedServerSaysGoodbyeAndGivesItsNamesBack) {
  auto room = two_servers({}, net::Transport::udp);
  auto& alpha = room.alpha;
  auto& budi = *room.budi;
  alpha.process->send_signal(SIGTERM);
  EXPECT_EQ(alpha.process->wait_exit(20s), 0);
  EXPECT_TRUE(budi.expect("ani left the chat room.", 10s));
  EXPECT_EQ(redis_.cli({"EXISTS", key("ani")}), "0\n");
}

// Anyone with access to Redis can write under the room's keys: what is not a well-formed
// record is skipped and logged; the servers and their members go on.
TEST_F(ChatRedis, GarbageInRedisIsSkippedAndLogged) {
  auto alpha = start("alpha", {"--history", "10"});
  Peer ani(alpha.port, net::Transport::tcp);
  ani.join("ani");
  const std::string channel = "soket:chat:lobby:events";
  redis_.cli({"PUBLISH", channel, "not json at all"});
  redis_.cli({"PUBLISH", channel, R"({"v":1,"server":"x","label":"x","seq":1,"kind":"text"})"});
  redis_.cli({"PUBLISH", channel, std::string(1 << 20, '{')});
  redis_.cli({"PUBLISH", channel,
              R"({"v":1,"server":"evil","label":"evil","seq":1,"kind":"text","name":"e",)"
              R"("text":"\u001b[2Jwiped"})"});
  EXPECT_EQ(ani.next(10s), "e: wiped");  // Well-formed, but cleaned like any line.
  EXPECT_TRUE(alpha.process->wait_for_line("skipped a bad event from Redis (", 10s));
  redis_.cli({"RPUSH", "soket:chat:lobby:history", "garbage", std::string(300000, 'x')});
  redis_.cli({"HSET", key("carol"), "not", "a string"});
  Peer carol(alpha.port, net::Transport::tcp);
  carol.send(std::string("PASSWORD ") + kPassword);
  ASSERT_EQ(carol.next(), "PASSWORD OK");
  carol.send("USERNAME carol");  // Its key is a hash: taken, as far as SET NX can tell.
  EXPECT_EQ(carol.next(10s), "USERNAME TAKEN");
  redis_.cli({"DEL", "soket:chat:lobby:history"});
  redis_.cli({"HSET", "soket:chat:lobby:history", "a", "b"});  // The wrong type.
  carol.send("USERNAME carol2");
  EXPECT_EQ(carol.next(10s), "USERNAME OK");
  EXPECT_EQ(carol.next(), "carol2 joined the chat room.");
  ani.send("masih hidup");
  EXPECT_TRUE(carol.expect("ani: masih hidup", 10s));
}

// A flood of servers that do not exist (anyone with access to Redis can publish): each server
// follows kMaxServers others at most, so its tables stay bounded; the rest are not listed.
TEST_F(ChatRedis, AFloodOfFakeServersIsBounded) {
  auto alpha = start("alpha");
  Peer ani(alpha.port, net::Transport::tcp);
  ani.join("ani");
  std::string script;
  for (int i = 0; i < 300; ++i) {
    script += "PUBLISH soket:chat:lobby:events '{\"v\":1,\"server\":\"fake" + std::to_string(i) +
              "\",\"label\":\"f\",\"seq\":1,\"kind\":\"roster\",\"members\":[\"m" +
              std::to_string(i) + "\"]}'\n";
  }
  redis_.cli_script(script);
  bool bounded = false;
  for (int i = 0; i < 100 && !bounded; ++i) {
    ani.send("/who");
    bounded = ani.next().rfind("members (257): ", 0) == 0;  // Alpha's one, and 256 others.
    if (!bounded) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(bounded);
  EXPECT_TRUE(alpha.process->wait_for_line("from a server past the 256 this one follows", 10s));
}

}  // namespace
}  // namespace soket::test
