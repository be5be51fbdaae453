// soket sockets with the habits of ss and netstat users (-tanp, -s, -x, -e, -i, state and
// port filters), each against ss itself on the test's own sockets. Other tests run at the
// same time and may hold sockets on a port number these once had, so every comparison keeps
// only rows whose ends are this test's own.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "net/deadline_io.h"
#include "net/socket_ops.h"
#include "support/child_process.h"

namespace soket::test {
namespace {

struct Row {
  std::string state, local, peer;  // state is empty where ss leaves its column out.
  std::vector<std::string> extra;  // ss: the words after the peer, and the -i line's words.
  bool operator<(const Row& o) const { return std::tie(local, peer) < std::tie(o.local, o.peer); }
};

bool numeric(const std::string& word) {
  return !word.empty() && word.find_first_not_of("0123456789") == std::string::npos;
}

// ss -H lines: [Netid] [State] Recv-Q Send-Q Local Peer [extra...]; ss leaves out the Netid
// with one protocol and the State with a one-state filter; -i adds an indented line.
std::vector<Row> from_ss(std::vector<std::string> args) {
  args.insert(args.begin(), "ss");
  args.insert(args.begin() + 1, "-H");
  auto result = run(args);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  std::vector<Row> rows;
  std::istringstream lines(result.out);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::vector<std::string> words;
    for (std::string w; fields >> w;) words.push_back(w);
    if (words.empty()) continue;
    if (line[0] == '\t' || line[0] == ' ') {  // The -i line of the row before.
      if (!rows.empty())
        rows.back().extra.insert(rows.back().extra.end(), words.begin(), words.end());
      continue;
    }
    std::size_t q = 0;
    while (q + 1 < words.size() && !(numeric(words[q]) && numeric(words[q + 1]))) ++q;
    if (q + 3 >= words.size()) continue;
    Row row;
    if (q > 0 && words[q - 1].find('_') == std::string::npos && words[q - 1] != "tcp" &&
        words[q - 1] != "udp")
      row.state = words[q - 1];
    row.local = words[q + 2];
    row.peer = words[q + 3];
    row.extra.assign(words.begin() + static_cast<std::ptrdiff_t>(q + 4), words.end());
    rows.push_back(row);
  }
  return rows;
}

// soket sockets ARGS --json: one object per line, in a fixed key order.
std::vector<Row> from_soket(std::vector<std::string> args, std::string* json = nullptr) {
  args.insert(args.begin(), {soket_binary(), "sockets"});
  args.push_back("--json");
  auto result = run(args);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  if (json) *json = result.out;
  std::vector<Row> rows;
  const std::regex row(R"re("state":"([\w-]+)".*"local":"([^"]+)","peer":"([^"]+)")re");
  std::istringstream lines(result.out);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_search(line, m, row)) rows.push_back({m[1], m[2], m[3], {line}});
  }
  return rows;
}

// Two echo servers (127.0.0.1 and ::1) and connections to them, each proven accepted by an
// exchange, so both ends are ESTAB.
struct OwnSockets {
  StartedServer v4 = start_soket_server({"echo", "server", "-p", "0", "--threads", "1"});
  StartedServer v6 =
      start_soket_server({"echo", "server", "-H", "::1", "-p", "0", "--threads", "1"});
  std::vector<net::Connected> clients;
  std::set<std::string> ends;  // Every local end of ours, as ss and soket print it.
  std::string v4_end, v6_end;

  OwnSockets(int v4_clients = 3) {
    v4_end = "127.0.0.1:" + std::to_string(v4.port);
    v6_end = "[::1]:" + std::to_string(v6.port);
    ends = {v4_end, v6_end};
    for (int i = 0; i < v4_clients; ++i) connect("127.0.0.1", v4.port);
    connect("::1", v6.port);
  }
  void connect(const char* host, int port) {
    auto address = net::Address::parse(host, static_cast<std::uint16_t>(port)).value();
    auto c = net::connect_any({address}, net::Transport::tcp, Clock::now() + 10s);
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(
        net::write_all(c->fd.get(), soket::as_bytes(std::string_view("x")), Clock::now() + 10s)
            .ok());
    std::byte back[1];
    ASSERT_TRUE(net::read_some(c->fd.get(), back, Clock::now() + 10s).ok());
    ends.insert(net::local_address(c->fd.get()).value().to_string());
    clients.push_back(std::move(c).value());
  }
  // A socket of ours: its local end is ours, and its peer is ours too unless it listens.
  bool mine(const Row& r) const {
    return ends.count(r.local) && (ends.count(r.peer) || r.peer.ends_with(":*"));
  }
  std::set<Row> keep(const std::vector<Row>& rows) const {
    std::set<Row> out;
    for (const auto& r : rows)
      if (mine(r)) out.insert(r);
    return out;
  }
};

std::string pairs(const std::set<Row>& rows) {
  std::string out;
  for (const auto& r : rows) out += r.state + " " + r.local + " " + r.peer + "\n";
  return out;
}

TEST(SocketsHabits, FiltersSelectWhatSsSelects) {
  OwnSockets own;
  const std::string p = ":" + std::to_string(own.v4.port), p6 = ":" + std::to_string(own.v6.port);
  const std::vector<std::vector<std::string>> filters = {
      {"sport", "=", p},
      {"sport", p},
      {"dport", "=", p},
      {"( sport = " + p + " or sport = " + p6 + " )"},
      {"(", "dport", "=", p, "or", "dport", "=", p6, ")"},
      {"dport", "!=", p},
      {"sport", "ge", p, "and", "sport", "le", p},
      {"state", "established", "( sport = " + p + " or dport = " + p + " )"},
      {"state", "listening"},
      {"state", "connected"},
      {"state", "synchronized"},
      {"state", "bucket"},
      {"state", "all", "dport", "=", p6},
      {"exclude", "listening"},
      {"src", "127.0.0.1" + p},
      {"dst", "[::1]"},
      {"src", "[::1]" + p6},
      {"not", "src", "127.0.0.0/8"},
  };
  std::size_t nonempty = 0;
  for (const auto& filter : filters) {
    std::vector<std::string> args = {"-t", "-a", "-n"};
    args.insert(args.end(), filter.begin(), filter.end());
    std::string json;
    const auto ours = own.keep(from_soket(args, &json));
    const auto theirs = own.keep(from_ss(args));
    std::string text;
    for (const auto& w : filter) text += w + " ";
    // ss leaves the State column out for a one-state filter: then compare the ends only.
    const bool stateless = !theirs.empty() && theirs.begin()->state.empty();
    auto strip = [&](const std::set<Row>& rows) {
      std::set<Row> out;
      for (auto r : rows) {
        if (stateless) r.state.clear();
        out.insert(r);
      }
      return pairs(out);
    };
    EXPECT_EQ(strip(ours), strip(theirs)) << "filter: " << text << "\n" << json;
    nonempty += !ours.empty();
  }
  // Every filter but "state bucket" selects some of ours (their TIME-WAIT is yet to come).
  EXPECT_EQ(nonempty, filters.size() - 1);
  // The filters did select: one listener and three server ends on the IPv4 port.
  EXPECT_EQ(own.keep(from_soket({"-t", "-a", "sport", "=", p})).size(), 4u);
  EXPECT_EQ(own.keep(from_soket({"-t", "state", "established", "dport", "=", p})).size(), 3u);
  EXPECT_EQ(own.keep(from_soket({"-t", "dst", "[::1]"})).size(), 2u);
}

TEST(SocketsHabits, NetstatSpellingsSelectAsNetstatWould) {
  OwnSockets own(1);
  const std::string pid = std::to_string(own.v4.process->pid());
  auto tanp = run({soket_binary(), "sockets", "-tanp"});
  ASSERT_EQ(tanp.exit_code, 0) << tanp.err;
  EXPECT_TRUE(std::regex_search(
      tanp.out, std::regex("tcp +LISTEN .*" + own.v4_end + " .* " + pid + "/soket")))
      << tanp.out;
  EXPECT_TRUE(std::regex_search(tanp.out,
                                std::regex("tcp +ESTAB .*" + own.v4_end + " .* " + pid + "/soket")))
      << tanp.out;
  auto tulpn = run({soket_binary(), "sockets", "-tulpn"});
  ASSERT_EQ(tulpn.exit_code, 0) << tulpn.err;
  EXPECT_TRUE(std::regex_search(tulpn.out, std::regex("tcp +LISTEN .*" + own.v4_end)));
  EXPECT_EQ(tulpn.out.find("ESTAB"), std::string::npos) << tulpn.out;  // Listening only.
  auto tuna = run({soket_binary(), "sockets", "-tuna"});
  ASSERT_EQ(tuna.exit_code, 0) << tuna.err;
  EXPECT_EQ(tuna.out.find("Process"), std::string::npos);
  // -tuna is ss -tuna: the same rows for our sockets.
  std::set<Row> ours, theirs;
  std::istringstream lines(tuna.out);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream f(line);
    Row r;
    std::string proto, rq, sq;
    f >> proto >> r.state >> rq >> sq >> r.local >> r.peer;
    if (own.mine(r)) ours.insert(r);
  }
  theirs = own.keep(from_ss({"-tuna"}));
  EXPECT_EQ(pairs(ours), pairs(theirs));
  EXPECT_EQ(ours.size(), 2u + 2u * 2u) << pairs(ours);  // Two listeners, two connections.
}

TEST(SocketsHabits, UdpSocketsAsSsAndNetstatShowThem) {
  auto server = start_soket_server({"transform", "server", "-p", "0"});
  const std::string p = ":" + std::to_string(server.port), end = "127.0.0.1" + p;
  auto only_ours = [&](const std::vector<Row>& rows) {
    std::set<Row> out;
    for (const auto& r : rows)
      if (r.local == end) out.insert(r);
    return out;
  };
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"-u", "-a", "sport", "=", p},
        {"-ul", "src", end},
        {"-u", "state", "closed", "sport", "=", p}}) {
    const auto ours = only_ours(from_soket(args));
    const auto theirs = only_ours(from_ss(args));
    ASSERT_EQ(ours.size(), 1u) << args[0];
    EXPECT_EQ(ours.begin()->state, "UNCONN");
    EXPECT_EQ(ours.begin()->peer, "0.0.0.0:*");
    ASSERT_EQ(theirs.size(), 1u) << args[0];
    EXPECT_EQ(theirs.begin()->peer, "0.0.0.0:*");
  }
  auto tulpn = run({soket_binary(), "sockets", "-tulpn"});
  const std::string pid = std::to_string(server.process->pid());
  EXPECT_TRUE(
      std::regex_search(tulpn.out, std::regex("udp +UNCONN .*" + end + " .* " + pid + "/soket")))
      << tulpn.out;
  // A connected-only listing (the default) has no unconnected UDP socket.
  EXPECT_TRUE(only_ours(from_soket({"-u"})).empty());
}

TEST(SocketsHabits, FamiliesNarrowToIpv4OrIpv6) {
  OwnSockets own(1);
  const auto v4 = own.keep(from_soket({"-t", "-a", "-4"}));
  const auto v6 = own.keep(from_soket({"-t", "-a", "-6"}));
  for (const auto& r : v4) EXPECT_EQ(r.local.find('['), std::string::npos) << r.local;
  for (const auto& r : v6) EXPECT_EQ(r.local.front(), '[') << r.local;
  EXPECT_EQ(v4.size(), 3u) << pairs(v4);
  EXPECT_EQ(v6.size(), 3u) << pairs(v6);
  EXPECT_EQ(pairs(v4), pairs(own.keep(from_ss({"-t", "-a", "-4"}))));
  EXPECT_EQ(pairs(v6), pairs(own.keep(from_ss({"-t", "-a", "-6"}))));
}

int count_in(const std::string& json, const std::string& proto, const std::string& key) {
  // {"total":N,"protocols":{"tcp":{"total":N,"states":{"ESTAB":N,...},"ipv4":N,"ipv6":N}}}
  const auto at = json.find("\"" + proto + "\":{");
  if (at == std::string::npos) return 0;
  const auto end = json.find("}}", at) == std::string::npos
                       ? json.size()
                       : json.find("}", json.find("}", at) + 1);
  std::smatch m;
  const std::string part = json.substr(at, end - at);
  if (std::regex_search(part, m, std::regex("\"" + key + "\":(\\d+)"))) return std::stoi(m[1]);
  return 0;
}

TEST(SocketsHabits, SummaryCountsWhatTheTestOpened) {
  OwnSockets own(2);
  const std::string p = ":" + std::to_string(own.v4.port);
  const std::vector<std::string> filter = {"-s", "-t",
                                           "( sport = " + p + " or dport = " + p + " )"};
  auto summary = [&] {
    std::vector<std::string> argv = {soket_binary(), "sockets", "--json"};
    argv.insert(argv.end(), filter.begin(), filter.end());
    auto result = run(argv);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return result.out;
  };
  const auto before = summary();
  // ss on the same filter: its ESTAB and LISTEN rows for the port are ours (the listener is).
  int ss_estab = 0, ss_listen = 0;
  for (const auto& r : from_ss({"-t", "-a", "( sport = " + p + " or dport = " + p + " )"})) {
    ss_estab += r.state == "ESTAB";
    ss_listen += r.state == "LISTEN";
  }
  EXPECT_EQ(count_in(before, "tcp", "ESTAB"), ss_estab) << before;
  EXPECT_EQ(count_in(before, "tcp", "LISTEN"), ss_listen) << before;
  EXPECT_EQ(count_in(before, "tcp", "ESTAB"), 4) << before;
  EXPECT_EQ(count_in(before, "tcp", "LISTEN"), 1) << before;
  own.connect("127.0.0.1", own.v4.port);
  own.connect("127.0.0.1", own.v4.port);
  const auto after = summary();
  EXPECT_EQ(count_in(after, "tcp", "ESTAB"), count_in(before, "tcp", "ESTAB") + 4) << after;
  EXPECT_EQ(count_in(after, "tcp", "ipv4"), count_in(before, "tcp", "ipv4") + 4) << after;
  EXPECT_EQ(count_in(after, "tcp", "ipv6"), 0) << after;
  // TIME-WAIT rows on the port are left by closed connections (ours or another test's that
  // drew the same port number): not what this counts.
  auto text = run({soket_binary(), "sockets", "-s", "-t", "exclude", "time-wait", "sport", "=", p});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_TRUE(std::regex_search(text.out, std::regex("tcp +5 +5 +0 +ESTAB 4, LISTEN 1")))
      << text.out;
}

struct ScratchFolder {
  std::string path;
  ScratchFolder() {
    char name[] = "/tmp/soket-sockets-XXXXXX";
    path = ::mkdtemp(name) ? name : "";
  }
  ~ScratchFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

int unix_socket(int type, const std::string& path, bool bind_it) {
  const int fd = ::socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  const int done = bind_it ? ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address)
                           : ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  EXPECT_EQ(done, 0) << std::strerror(errno);
  return fd;
}

std::string inode_of(int fd) {
  struct stat st {};
  EXPECT_EQ(::fstat(fd, &st), 0);
  return std::to_string(st.st_ino);
}

TEST(SocketsHabits, UnixSocketsAsSsShowsThem) {
  ScratchFolder folder;
  ASSERT_FALSE(folder.path.empty());
  const std::string stream_path = folder.path + "/stream.sock",
                    dgram_path = folder.path + "/d.sock";
  const int listener = unix_socket(SOCK_STREAM, stream_path, true);
  ASSERT_EQ(::listen(listener, 7), 0);
  const int client = unix_socket(SOCK_STREAM, stream_path, false);
  const int accepted = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
  const int dgram = unix_socket(SOCK_DGRAM, dgram_path, true);
  ASSERT_GE(accepted, 0);
  std::string json;
  const auto rows = from_soket({"-x", "-a", "-e"}, &json);
  auto find = [&](const std::string& inode) -> const Row* {
    for (const auto& r : rows)
      if (r.extra[0].find("\"inode\":" + inode + ",") != std::string::npos) return &r;
    return nullptr;
  };
  const Row* l = find(inode_of(listener));
  const Row* a = find(inode_of(accepted));
  const Row* c = find(inode_of(client));
  const Row* d = find(inode_of(dgram));
  ASSERT_TRUE(l && a && c && d) << json;
  EXPECT_EQ(l->state, "LISTEN");
  EXPECT_EQ(l->local, stream_path);
  EXPECT_NE(l->extra[0].find("\"proto\":\"u_str\""), std::string::npos);
  EXPECT_NE(l->extra[0].find("\"send_q\":7"), std::string::npos) << l->extra[0];  // Backlog.
  EXPECT_EQ(a->state, "ESTAB");
  EXPECT_EQ(a->peer, inode_of(client));
  EXPECT_EQ(c->local, "*");
  EXPECT_EQ(c->peer, inode_of(accepted));
  EXPECT_EQ(d->state, "UNCONN");
  EXPECT_NE(d->extra[0].find("\"proto\":\"u_dgr\""), std::string::npos);
  // ss on the same sockets: Netid State Recv-Q Send-Q Local Inode Peer PeerInode.
  auto ss = run({"ss", "-xaH"});
  for (const auto& [fd, row] :
       std::map<int, const Row*>{{listener, l}, {accepted, a}, {dgram, d}}) {
    const std::string local = row->local == "*" ? "\\*" : row->local;
    const std::string peer = row->peer == "*" ? "0" : row->peer;
    EXPECT_TRUE(std::regex_search(ss.out, std::regex(row->state + " +\\d+ +\\d+ +" + local + " +" +
                                                     inode_of(fd) + " +\\* +" + peer + "\\b")))
        << row->local << " " << inode_of(fd) << "\n"
        << ss.out.substr(0, 2000);
  }
  // -x -l: the listener and the bound datagram socket, not the connection.
  const auto listening = from_soket({"-x", "-l"}, &json);
  std::set<std::string> locals;
  for (const auto& r : listening) locals.insert(r.local + " " + r.state);
  EXPECT_TRUE(locals.count(stream_path + " LISTEN")) << json;
  EXPECT_TRUE(locals.count(dgram_path + " UNCONN")) << json;
  EXPECT_FALSE(locals.count(stream_path + " ESTAB")) << json;
  // An abstract name is printed as ss prints it: '@' and the name.
  const std::string abstract = "soket-test-" + std::to_string(::getpid());
  const int named = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path + 1, abstract.data(), abstract.size());
  const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + abstract.size());
  ASSERT_EQ(::bind(named, reinterpret_cast<sockaddr*>(&address), length), 0);
  auto table = run({soket_binary(), "sockets", "-xa"});
  EXPECT_TRUE(std::regex_search(table.out, std::regex("u_dgr +UNCONN .* @" + abstract + " ")))
      << table.out;
  ss = run({"ss", "-xaH"});
  EXPECT_NE(ss.out.find("@" + abstract + " " + inode_of(named)), std::string::npos);
  for (const int fd : {listener, client, accepted, dgram, named}) ::close(fd);
}

TEST(SocketsHabits, ExtendedShowsTheUidAndInodeSsShows) {
  OwnSockets own(2);
  const std::string p = ":" + std::to_string(own.v4.port);
  const std::vector<std::string> args = {"-t", "-a", "-e",
                                         "( sport = " + p + " or dport = " + p + " )"};
  auto table = run({soket_binary(), "sockets", args[0], args[1], args[2], args[3]});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  std::map<std::string, std::string> ours;  // "local peer" -> "uid:N ino:N"
  std::istringstream lines(table.out);
  const std::regex details(R"((\S+) +(\S+) +uid:(\d+) ino:(\d+))");
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_search(line, m, details))
      ours[m[1].str() + " " + m[2].str()] = m[3].str() + " " + m[4].str();
  }
  std::size_t compared = 0;
  for (const auto& r : own.keep(from_ss(args))) {
    std::string uid = "0", ino;  // ss leaves uid out for root.
    for (const auto& w : r.extra) {
      if (w.starts_with("uid:")) uid = w.substr(4);
      if (w.starts_with("ino:")) ino = w.substr(4);
    }
    EXPECT_EQ(ours[r.local + " " + r.peer], uid + " " + ino) << r.local << " " << r.peer << "\n"
                                                             << table.out;
    ++compared;
  }
  EXPECT_EQ(compared, 1u + 2u * 2u);
  EXPECT_EQ(std::to_string(::getuid()),
            ours[own.v4_end + " 0.0.0.0:*"].substr(0, ours[own.v4_end + " 0.0.0.0:*"].find(' ')));
}

TEST(SocketsHabits, InfoShowsRttAndCwndOfAnEstablishedConnection) {
  OwnSockets own(1);
  const std::string p = ":" + std::to_string(own.v4.port);
  const std::vector<std::string> args = {"-t", "-i", "state", "established", "dport = " + p};
  std::string json;
  const auto ours = own.keep(from_soket(args, &json));
  const auto theirs = own.keep(from_ss(args));
  ASSERT_EQ(ours.size(), 1u) << json;
  ASSERT_EQ(theirs.size(), 1u);
  const std::string line = ours.begin()->extra[0];
  std::smatch m;
  ASSERT_TRUE(std::regex_search(line, m, std::regex(R"re("rtt_ms":([0-9.e-]+).*"cwnd":(\d+))re")))
      << line;
  EXPECT_GT(std::stod(m[1]), 0.0);
  std::string ss_cwnd;
  bool ss_rtt = false;
  for (const auto& w : theirs.begin()->extra) {
    if (w.starts_with("cwnd:")) ss_cwnd = w.substr(5);
    if (w.starts_with("rtt:")) ss_rtt = true;
  }
  EXPECT_TRUE(ss_rtt);
  EXPECT_EQ(m[2].str(), ss_cwnd) << line;  // An idle connection's window stays put.
  EXPECT_NE(line.find("\"total_retrans\":"), std::string::npos);
  auto table = run({soket_binary(), "sockets", "-t", "-i", "state", "established", "dport = " + p});
  EXPECT_TRUE(std::regex_search(
      table.out, std::regex("rtt:[0-9.]+/[0-9.]+ mss:\\d+ cwnd:" + ss_cwnd + ".* retrans:0/0")))
      << table.out;
}

TEST(SocketsHabits, UnsupportedFiltersAreUsageErrors) {
  for (const std::vector<std::string>& filter : {std::vector<std::string>{"state", "sleeping"},
                                                 {"sport", "=", ":http"},
                                                 {"dev", "=", "lo"},
                                                 {"(", "sport", "=", ":1"},
                                                 {"src", "localhost"}}) {
    std::vector<std::string> argv = {soket_binary(), "sockets"};
    argv.insert(argv.end(), filter.begin(), filter.end());
    auto result = run(argv);
    EXPECT_EQ(result.exit_code, 2) << filter[0];
    EXPECT_TRUE(result.out.empty()) << result.out;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_NE(result.err.find("soket: "), std::string::npos) << result.err;
  }
}

}  // namespace
}  // namespace soket::test
