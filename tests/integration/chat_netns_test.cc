// "Two laptops": seed 004's room tested as its report did, across machines, here as network
// namespaces on one bridge (support/netns.h). Redis runs on one host, a soket chat server on
// each of two others, and the members on two more: seed 004's own client.py and soket's
// client over UDP, nc and soket's client over TCP. Every hop crosses a real interface.
// Needs root; skipped with the reason elsewhere.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "integration/chat_peer.h"
#include "support/child_process.h"
#include "support/netns.h"
#include "support/redis_server.h"
#include "support/test_backend.h"

namespace soket::test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kRedisHost = "198.18.0.1";
constexpr const char* kAlpha = "198.18.0.2";
constexpr const char* kBeta = "198.18.0.3";
constexpr const char* kChatPort = "5000";

class ChatAcrossHosts : public testing::Test {
 protected:
  void SetUp() override {
    for (const auto& why : {RedisServer::unavailable(), NetnsLab::unavailable()}) {
      if (!why.empty()) GTEST_SKIP() << why;
    }
    lab_ = std::make_unique<NetnsLab>();
    for (const auto& [name, number] : std::vector<std::pair<std::string, int>>{
             {"redis", 1}, {"alpha", 2}, {"beta", 3}, {"laptop-a", 11}, {"laptop-b", 12}}) {
      ASSERT_FALSE(lab_->add_host(name, number).empty()) << lab_->error();
    }
    redis_ = std::make_unique<RedisServer>(kRedisHost, lab_->wrap("redis"));
    ASSERT_TRUE(redis_->start()) << "redis-server did not start in its namespace";
    scratch_ = fs::temp_directory_path() / ("soket-netns-" + std::to_string(::getpid()));
    fs::create_directories(scratch_);
    std::ofstream(scratch_ / "password") << kPassword << "\n";
  }
  void TearDown() override {
    members_.clear();
    servers_.clear();
    redis_.reset();
    lab_.reset();
    if (!scratch_.empty()) fs::remove_all(scratch_);
  }

  // A soket chat server on `host`, listening on its address, port 5000.
  ChildProcess& start_server(const std::string& host, const std::string& address,
                             std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"chat",
                                     "server",
                                     "-H",
                                     address,
                                     "-p",
                                     kChatPort,
                                     "--password-file",
                                     (scratch_ / "password").string(),
                                     "--redis",
                                     redis_->url(),
                                     "--server-name",
                                     host};
    args.insert(args.end(), extra.begin(), extra.end());
    args = with_test_backend(args);
    auto argv = lab_->wrap(host);
    argv.push_back(soket_binary());
    argv.insert(argv.end(), args.begin(), args.end());
    servers_.push_back(std::make_unique<ChildProcess>(argv));
    auto& server = *servers_.back();
    EXPECT_TRUE(server.wait_for_line("(udp)", 20s)) << server.err();
    expect_backend_ran(server, args);
    return server;
  }
  // A member's program on `host`, its stdin ours to type into.
  ChildProcess& member(const std::string& host, std::vector<std::string> program,
                       std::vector<std::string> environment = {}) {
    auto argv = lab_->wrap(host);
    argv.insert(argv.end(), program.begin(), program.end());
    members_.push_back(std::make_unique<ChildProcess>(argv, /*pipe_stdin=*/true, environment));
    return *members_.back();
  }
  // nc on `host`, logged in as `name` to the server at `address`.
  ChildProcess& nc_member(const std::string& host, const std::string& address,
                          const std::string& name) {
    auto& nc = member(host, {"nc", address, kChatPort});
    nc.write_stdin(std::string("PASSWORD ") + kPassword + "\nUSERNAME " + name + "\n");
    EXPECT_TRUE(nc.wait_for_line(name + " joined the chat room.", 20s)) << nc.out();
    return nc;
  }
  ChildProcess& soket_member(const std::string& host, const std::string& address,
                             const std::string& name, bool udp) {
    std::vector<std::string> program = {soket_binary(), "chat",    "client", "-H", address,
                                        "-p",           kChatPort, "-u",     name};
    if (udp) program.push_back("--udp");
    auto& client = member(host, program, {std::string("SOKET_CHAT_PASSWORD=") + kPassword});
    EXPECT_TRUE(client.wait_for_line(name + " joined the chat room.", 20s)) << client.err();
    return client;
  }
  ChildProcess& seed_member(const std::string& host, const std::string& address,
                            const std::string& name) {
    auto& seed = member(host, {"python3", "-u", std::string(SEEDS_DIR) + "/seed004_client.py"});
    seed.write_stdin(address + "\n" + kChatPort + "\n" + kPassword + "\n" + name + "\n");
    EXPECT_TRUE(seed.wait_for_line("Anda bergabung sebagai " + name, 20s)) << seed.out();
    return seed;
  }

  std::unique_ptr<NetnsLab> lab_;
  std::unique_ptr<RedisServer> redis_;
  fs::path scratch_;
  std::vector<std::unique_ptr<ChildProcess>> servers_, members_;
};

TEST_F(ChatAcrossHosts, UdpMemberOnOneHostAndTcpMemberOnAnotherChat) {
  auto& alpha = start_server("alpha", kAlpha, {"--seed-compatible"});
  start_server("beta", kBeta);
  auto& seedy = seed_member("laptop-a", kAlpha, "seedy");         // UDP, host A.
  auto& sutra = soket_member("laptop-a", kAlpha, "sutra", true);  // UDP, host A.
  auto& budi = nc_member("laptop-b", kBeta, "budi");              // TCP, host B.
  auto& tari = soket_member("laptop-b", kBeta, "tari", false);    // TCP, host B.
  // The member's address is laptop A's own: its datagrams crossed the bridge.
  EXPECT_TRUE(alpha.wait_for_line("seedy joined from 198.18.0.11:", 10s));

  seedy.write_stdin("halo dari laptop A\n");
  EXPECT_TRUE(budi.wait_for_line("seedy: halo dari laptop A", 20s)) << budi.out();
  EXPECT_TRUE(tari.wait_for_line("seedy: halo dari laptop A", 20s)) << tari.out();
  EXPECT_TRUE(sutra.wait_for_line("seedy: halo dari laptop A", 20s)) << sutra.out();
  budi.write_stdin("halo dari laptop B\n");
  EXPECT_TRUE(seedy.wait_for_line("budi: halo dari laptop B", 20s)) << seedy.out();
  EXPECT_TRUE(sutra.wait_for_line("budi: halo dari laptop B", 20s)) << sutra.out();
  budi.write_stdin("/who\n");
  EXPECT_TRUE(budi.wait_for_line("members (4): budi@beta seedy@alpha sutra@alpha tari@beta", 20s))
      << budi.out();
  tari.write_stdin("/msg sutra rahasia\n");
  EXPECT_TRUE(sutra.wait_for_line("[private] tari: rahasia", 20s)) << sutra.out();
}

// 25 members on each host ask for one name at once (a file in the shared scratch folder is
// the starting gun): exactly one gets it.
TEST_F(ChatAcrossHosts, NamesAreUniqueAcrossHostsUnderARaceOfFifty) {
  start_server("alpha", kAlpha);
  start_server("beta", kBeta);
  const auto gun = (scratch_ / "go").string();
  const std::string script = R"py(
import os, socket, sys, time
host, port, password, gun = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
members = []
for i in range(25):
    s = socket.create_connection((host, port), timeout=20)
    s.sendall(("PASSWORD %s\n" % password).encode())
    members.append([s, b""])
for m in members:
    while b"\n" not in m[1]:
        m[1] += m[0].recv(4096)
    m[1] = m[1].split(b"\n", 1)[1]
print("ready", flush=True)
for _ in range(2000):
    if os.path.exists(gun): break
    time.sleep(0.01)
for i, m in enumerate(members):
    m[0].sendall(b"USERNAME Rebutan\n" if i % 2 else b"USERNAME rebutan\n")
ok = taken = 0
for m in members:
    while b"\n" not in m[1]:
        m[1] += m[0].recv(4096)
    answer = m[1].split(b"\n", 1)[0]
    ok += answer == b"USERNAME OK"
    taken += answer == b"USERNAME TAKEN"
print("ok %d taken %d" % (ok, taken), flush=True)
# The members stay until the test has both counts: a laptop that left early would give the
# name back, and the other laptop's late claim (its gun is seen up to 10 ms later) would
# then rightly win it.
for _ in range(2000):
    if os.path.exists(gun + ".done"): break
    time.sleep(0.01)
)py";
  auto& a = member("laptop-a", {"python3", "-c", script, kAlpha, kChatPort, kPassword, gun});
  auto& b = member("laptop-b", {"python3", "-c", script, kBeta, kChatPort, kPassword, gun});
  ASSERT_TRUE(a.wait_for_line("ready", 30s)) << a.err();
  ASSERT_TRUE(b.wait_for_line("ready", 30s)) << b.err();
  std::ofstream(gun) << "go\n";
  const auto a_result = a.wait_for_line("ok ", 30s), b_result = b.wait_for_line("ok ", 30s);
  std::ofstream(gun + ".done") << "done\n";
  ASSERT_TRUE(a_result && b_result) << a.err() << b.err();
  int a_ok = 0, a_taken = 0, b_ok = 0, b_taken = 0;
  std::sscanf(a_result->c_str(), "ok %d taken %d", &a_ok, &a_taken);
  std::sscanf(b_result->c_str(), "ok %d taken %d", &b_ok, &b_taken);
  EXPECT_EQ(a_ok + b_ok, 1) << *a_result << " / " << *b_result;
  EXPECT_EQ(a_taken + b_taken, 49) << *a_result << " / " << *b_result;
}

TEST_F(ChatAcrossHosts, HistoryCrossesHosts) {
  start_server("alpha", kAlpha);
  start_server("beta", kBeta, {"--history", "2"});
  auto& ani = nc_member("laptop-a", kAlpha, "ani");
  ani.write_stdin("satu\ndua\ntiga\n");
  ASSERT_TRUE(ani.wait_for_line("ani: tiga", 20s));
  auto& late = member("laptop-b", {"nc", kBeta, kChatPort});
  late.write_stdin(std::string("PASSWORD ") + kPassword + "\nUSERNAME telat\n");
  ASSERT_TRUE(late.wait_for_line("telat joined the chat room.", 20s)) << late.out();
  EXPECT_NE(late.out().find("USERNAME OK\n[history] ani: dua\n[history] ani: tiga\ntelat joined"),
            std::string::npos)
      << late.out();
}

TEST_F(ChatAcrossHosts, AServerKilledWithSigkillLeavesAndItsRestartJoinsAgain) {
  auto& alpha = start_server("alpha", kAlpha, {"--name-expiry", "3"});
  start_server("beta", kBeta, {"--name-expiry", "3"});
  auto& budi = nc_member("laptop-b", kBeta, "budi");
  nc_member("laptop-a", kAlpha, "ani");
  ASSERT_TRUE(budi.wait_for_line("ani joined the chat room.", 20s));
  alpha.send_signal(SIGKILL);
  alpha.wait_exit();
  EXPECT_TRUE(budi.wait_for_line("ani left the chat room.", 20s)) << budi.out();
  start_server("alpha", kAlpha, {"--name-expiry", "3"});
  // The name expired with its server (3 s): the same member comes back under it.
  bool back = false;
  for (int attempt = 0; attempt < 20 && !back; ++attempt) {
    auto& ani = member("laptop-a", {"nc", kAlpha, kChatPort});
    ani.write_stdin(std::string("PASSWORD ") + kPassword + "\nUSERNAME ani\n");
    back = ani.wait_for_line("ani joined the chat room.", 5s).has_value();
  }
  EXPECT_TRUE(back);
  EXPECT_TRUE(budi.wait_for_line("ani joined the chat room.", 20s)) << budi.out();
}

TEST_F(ChatAcrossHosts, RedisStoppedAndRestartedSplitsAndHealsTheRoom) {
  start_server("alpha", kAlpha);
  start_server("beta", kBeta);
  auto& ani = nc_member("laptop-a", kAlpha, "ani");
  auto& adi = soket_member("laptop-a", kAlpha, "adi", true);
  auto& budi = nc_member("laptop-b", kBeta, "budi");
  redis_->stop();
  EXPECT_TRUE(ani.wait_for_line("the room is split", 30s)) << ani.out();
  EXPECT_TRUE(budi.wait_for_line("the room is split", 30s)) << budi.out();
  ani.write_stdin("tetap di sini\n");
  EXPECT_TRUE(adi.wait_for_line("ani: tetap di sini", 20s)) << adi.out();
  ASSERT_TRUE(redis_->start());
  EXPECT_TRUE(ani.wait_for_line("the room is whole again", 30s)) << ani.out();
  EXPECT_TRUE(budi.wait_for_line("the room is whole again", 30s)) << budi.out();
  budi.write_stdin("sudah pulih\n");
  EXPECT_TRUE(ani.wait_for_line("budi: sudah pulih", 20s)) << ani.out();
  EXPECT_TRUE(adi.wait_for_line("budi: sudah pulih", 20s)) << adi.out();
}

// A real partition: alpha's cable is pulled, so alpha loses Redis while beta keeps it (no
// reset reaches anyone: alpha finds out when Redis stops answering). Alpha's members are told
// the room is split and what they say stays on alpha; beta takes the name of alpha's member
// once it expired; when the cable is back, Redis's holder keeps the name and alpha's member
// is told and closed, and the room is whole again.
TEST_F(ChatAcrossHosts, APartitionedServerLosesAContestedNameToRedissHolder) {
  start_server("alpha", kAlpha, {"--name-expiry", "3"});
  start_server("beta", kBeta, {"--name-expiry", "3"});
  // Members on alpha's own host, so that pulling alpha's cable cuts alpha off Redis only.
  auto& ani = member("alpha", {"nc", kAlpha, kChatPort});
  ani.write_stdin(std::string("PASSWORD ") + kPassword + "\nUSERNAME ani\n");
  ASSERT_TRUE(ani.wait_for_line("ani joined the chat room.", 20s)) << ani.out();
  auto& adi = member("alpha", {"nc", kAlpha, kChatPort});
  adi.write_stdin(std::string("PASSWORD ") + kPassword + "\nUSERNAME adi\n");
  ASSERT_TRUE(adi.wait_for_line("adi joined the chat room.", 20s)) << adi.out();
  auto& budi = nc_member("laptop-b", kBeta, "budi");
  ASSERT_TRUE(lab_->set_link("alpha", false)) << lab_->error();
  EXPECT_TRUE(ani.wait_for_line("the room is split", 40s)) << ani.out();
  ani.write_stdin("hanya untuk alpha\n");
  EXPECT_TRUE(adi.wait_for_line("ani: hanya untuk alpha", 20s)) << adi.out();
  EXPECT_TRUE(budi.wait_for_line("ani left the chat room.", 40s)) << budi.out();
  bool taken = false;  // Once ani's name expired in Redis.
  for (int attempt = 0; attempt < 20 && !taken; ++attempt) {
    auto& other = member("laptop-b", {"nc", kBeta, kChatPort});
    other.write_stdin(std::string("PASSWORD ") + kPassword + "\nUSERNAME ani\n");
    taken = other.wait_for_line("ani joined the chat room.", 5s).has_value();
  }
  ASSERT_TRUE(taken);
  ASSERT_TRUE(lab_->set_link("alpha", true)) << lab_->error();
  EXPECT_TRUE(ani.wait_for_line("ERROR your name ani is held by another server now", 60s))
      << ani.out();
  EXPECT_TRUE(adi.wait_for_line("the room is whole again", 30s)) << adi.out();
  adi.write_stdin("kembali\n");
  EXPECT_TRUE(budi.wait_for_line("adi: kembali", 20s)) << budi.out();
  // What ani said while split stayed on alpha.
  EXPECT_EQ(budi.out().find("hanya untuk alpha"), std::string::npos) << budi.out();
}

}  // namespace
}  // namespace soket::test
