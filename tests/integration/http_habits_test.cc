// soket http with curl's habits (issue 13), curl against nginx as the oracle on the same URLs;
// a scripted server where no real one will do (retries counted, a lying Range reply, the
// request a server receives for -d, --json, -F, -A, -e, -u).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <regex>

#include "integration/http_servers.h"
#include "support/closed_port.h"

namespace soket::test {
namespace {

// Date changes between two runs a second apart: the rest of a head must match byte for byte.
std::string without_date(const std::string& text) {
  return std::regex_replace(text, std::regex("Date: [^\r]*\r\n"), "Date: -\r\n");
}

// Both clients in a folder of their own, for -O (env -C runs the program there).
RunResult run_in(const fs::path& folder, std::vector<std::string> args) {
  args.insert(args.begin(), {"env", "-C", folder.string()});
  return run(args, "", 60s);
}

TEST_F(HttpHeavy, IncludeAndHeadWriteWhatCurlWrites) {
  // curl would keep the connection alive and nginx would say so; soket always closes.
  const std::vector<std::string> close = {"-H", "Connection: close"};
  for (const std::string flag : {"-i", "-I"}) {
    auto ours = soket({nginx_.url("/one.bin"), flag});
    auto args = std::vector<std::string>{nginx_.url("/one.bin"), flag};
    args.insert(args.end(), close.begin(), close.end());
    auto theirs = curl(args);
    EXPECT_EQ(ours.exit_code, 0) << ours.err;
    EXPECT_EQ(without_date(ours.out), without_date(theirs.out)) << flag;
  }
  // -i -L: every response's head, as curl writes them, then the final body.
  auto ours = soket({nginx_.url("/r1"), "-i", "-L"});
  auto theirs = curl({nginx_.url("/r1"), "-i", "-L", "-H", "Connection: close"});
  EXPECT_EQ(without_date(ours.out), without_date(theirs.out));
  // -I -o FILE: the head goes into FILE.
  const auto head = nginx_.dir() / "head.txt";
  auto into_file = soket({nginx_.url("/one.bin"), "-I", "-o", head.string()});
  EXPECT_EQ(into_file.exit_code, 0) << into_file.err;
  EXPECT_EQ(into_file.out, "");
  EXPECT_EQ(without_date(read_file(head)),
            without_date(curl({nginx_.url("/one.bin"), "-I", "-H", "Connection: close"}).out));
}

TEST_F(HttpHeavy, WriteOutValuesMatchCurl) {
  const std::string format =
      "%{http_code} %{response_code} %{size_download} %{url_effective} %{num_redirects} "
      "%{content_type} %{redirect_url}|%%|\\t|\\n";
  for (const std::string path : {"/page.txt", "/r1", "/missing"}) {
    for (const std::string follow : {"-L", "-s"}) {  // Followed, and not.
      auto ours = soket({nginx_.url(path), follow, "-o", "/dev/null", "-w", format});
      auto theirs = curl({nginx_.url(path), follow, "-o", "/dev/null", "-w", format});
      EXPECT_EQ(ours.exit_code, 0) << ours.err;
      EXPECT_EQ(ours.out, theirs.out) << path << " " << follow;
    }
  }
  // The times: curl's form (seconds with six decimals), and a plausible value.
  auto ours = soket({nginx_.url("/one.bin"), "-w", "%{time_total} %{time_connect}"});
  EXPECT_TRUE(std::regex_match(ours.out, std::regex("x[0-9]+\\.[0-9]{6} [0-9]+\\.[0-9]{6}")))
      << ours.out;
  EXPECT_LT(std::stod(ours.out.substr(1)), 60.0);
  // No response at all: 000, as curl, and the exit code.
  const ClosedTcpPort nobody;
  const std::string closed = "http://127.0.0.1:" + std::to_string(nobody.port()) + "/";
  auto refused = soket({closed, "-s", "-w", "%{http_code} %{exitcode}"});
  EXPECT_EQ(refused.out, "000 7");
  EXPECT_EQ(refused.err, "");  // -s: no error line.
  EXPECT_EQ(refused.exit_code, 7);
  EXPECT_NE(soket({closed, "-sS"}).err.find("connection refused"), std::string::npos);
}

TEST_F(HttpHeavy, RangesMatchCurl) {
  for (const std::string range : {"0-99", "100-", "-50", "5-5"}) {
    auto ours = soket({nginx_.url("/page.txt"), "-r", range});
    auto theirs = curl({nginx_.url("/page.txt"), "-r", range});
    EXPECT_EQ(ours.exit_code, 0) << ours.err;
    EXPECT_EQ(ours.out, theirs.out) << range;
    EXPECT_FALSE(ours.out.empty());
  }
  EXPECT_EQ(soket({nginx_.url("/page.txt"), "-r", "abc"}).exit_code, 2);
}

TEST_F(HttpHeavy, ResumeMatchesCurl) {
  const std::string whole = read_file(nginx_.file("big.bin"));
  const auto ours = nginx_.dir() / "ours.bin", theirs = nginx_.dir() / "theirs.bin";
  for (const auto& path : {ours, theirs})
    std::ofstream(path, std::ios::binary) << whole.substr(0, 1234567);
  auto resumed = soket({nginx_.url("/big.bin"), "-C", "-", "-o", ours.string()});
  auto curls = curl({nginx_.url("/big.bin"), "-C", "-", "-o", theirs.string()});
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(curls.exit_code, 0) << curls.err;
  EXPECT_TRUE(read_file(ours) == whole) << fs::file_size(ours);
  EXPECT_TRUE(read_file(theirs) == whole);
  // Resuming a whole file: nginx answers 416; both leave it as it is and exit 0.
  auto again = soket({nginx_.url("/big.bin"), "-C", "-", "-o", ours.string()});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(curl({nginx_.url("/big.bin"), "-C", "-", "-o", theirs.string()}).exit_code, 0);
  EXPECT_TRUE(read_file(ours) == whole) << fs::file_size(ours);
  EXPECT_EQ(soket({nginx_.url("/big.bin"), "-C", "-"}).exit_code, 2);  // No file to resume.
}

TEST_F(HttpHeavy, RemoteNameAsCurlAndNoClobber) {
  const auto ours = nginx_.dir() / "ours-O", theirs = nginx_.dir() / "theirs-O";
  fs::create_directories(ours);
  fs::create_directories(theirs);
  const std::string url = nginx_.url("/page.txt?x=1/y");
  auto result = run_in(ours, {soket_binary(), "http", "-O", url});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(run_in(theirs, {"curl", "-s", "-O", url}).exit_code, 0);
  std::vector<std::string> names[2];
  for (int i = 0; i < 2; ++i) {
    for (const auto& entry : fs::directory_iterator(i == 0 ? ours : theirs))
      names[i].push_back(entry.path().filename().string());
  }
  EXPECT_EQ(names[0], names[1]);
  EXPECT_EQ(names[0], std::vector<std::string>{"page.txt"});
  EXPECT_EQ(read_file(ours / "page.txt"), read_file(nginx_.file("page.txt")));
  // --no-clobber: page.txt stays, the new one is page.txt.1, as curl names it.
  std::ofstream(ours / "page.txt") << "mine";
  std::ofstream(theirs / "page.txt") << "mine";
  EXPECT_EQ(run_in(ours, {soket_binary(), "http", "-O", "--no-clobber", url}).exit_code, 0);
  EXPECT_EQ(run_in(theirs, {"curl", "-s", "-O", "--no-clobber", url}).exit_code, 0);
  EXPECT_EQ(read_file(ours / "page.txt"), "mine");
  EXPECT_EQ(read_file(ours / "page.txt.1"), read_file(theirs / "page.txt.1"));
  EXPECT_EQ(read_file(ours / "page.txt.1"), read_file(nginx_.file("page.txt")));
}

TEST_F(HttpHeavy, ResolveFamiliesAndSchemeLessUrls) {
  const std::string port = nginx_.url("").substr(nginx_.url("").rfind(':') + 1);
  const std::string url = "http://soket.test:" + port + "/one.bin";
  const std::string pin = "soket.test:" + port + ":127.0.0.1";
  auto ours = soket({url, "--resolve", pin});
  EXPECT_EQ(ours.exit_code, 0) << ours.err;
  EXPECT_EQ(ours.out, curl({url, "--resolve", pin}).out);
  EXPECT_EQ(ours.out, "x");
  // A pin for another port does not apply: the name is looked up, and is not found.
  EXPECT_EQ(soket({url, "--resolve", "soket.test:1:127.0.0.1"}).exit_code, 6);
  EXPECT_EQ(soket({url, "--resolve", "soket.test:x:127.0.0.1"}).exit_code, 2);
  // -4 and -6 pick the family among localhost's addresses; nginx listens on both.
  for (const std::string family : {"-4", "-6"}) {
    auto picked = soket({"http://localhost:" + port + "/one.bin", family, "-w", "%{remote_ip}"});
    EXPECT_EQ(picked.exit_code, 0) << picked.err;
    EXPECT_EQ(picked.out, family == "-4" ? "x127.0.0.1" : "x::1");
  }
  auto none = soket({"http://[::1]:" + port + "/one.bin", "-4"});
  EXPECT_EQ(none.exit_code, 6) << none.err;
  // No scheme means http, as for curl.
  auto bare = soket({"127.0.0.1:" + port + "/one.bin"});
  EXPECT_EQ(bare.exit_code, 0) << bare.err;
  EXPECT_EQ(bare.out, curl({"127.0.0.1:" + port + "/one.bin"}).out);
}

TEST_F(HttpHeavy, FailWritesNoBodyAndNoFile) {
  auto shown = soket({nginx_.url("/missing"), "-f"});
  EXPECT_EQ(shown.exit_code, 17);
  EXPECT_EQ(shown.out, "");
  EXPECT_EQ(shown.out, curl({nginx_.url("/missing"), "-f"}).out);
  const auto file = nginx_.dir() / "failed.html";
  EXPECT_EQ(soket({nginx_.url("/missing"), "-f", "-o", file.string()}).exit_code, 17);
  EXPECT_FALSE(fs::exists(file));
  auto with_head = soket({nginx_.url("/missing"), "-f", "-i"});
  EXPECT_EQ(with_head.out, "");
}

TEST_F(HttpHeavy, OutputOntoASymlinkReplacesItsTarget) {
  const auto folder = nginx_.dir() / "links";
  fs::create_directories(folder / "real");
  std::ofstream(folder / "real" / "target.txt") << "old";
  fs::permissions(folder / "real" / "target.txt", fs::perms(0640));
  fs::create_symlink("real/target.txt", folder / "link.txt");
  auto ours = soket({nginx_.url("/page.txt"), "-o", (folder / "link.txt").string()});
  EXPECT_EQ(ours.exit_code, 0) << ours.err;
  EXPECT_TRUE(fs::is_symlink(folder / "link.txt"));
  EXPECT_EQ(read_file(folder / "real" / "target.txt"), read_file(nginx_.file("page.txt")));
  EXPECT_EQ(fs::status(folder / "real" / "target.txt").permissions(), fs::perms(0640));
  // The temporary file went beside the target and is gone.
  int entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(folder / "real")) ++entries;
  EXPECT_EQ(entries, 1);
}

TEST(HttpOutput, UnwritablePathsSayWhy) {
  RawServer server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  const auto folder =
      fs::temp_directory_path() / ("soket-unwritable-" + std::to_string(::getpid()));
  fs::create_directories(folder);
  std::ofstream(folder / "file") << "f";
  struct Case {
    std::string path, says;
  } cases[] = {
      {(folder / "missing" / "x").string(), "does not exist ('" + (folder / "missing").string()},
      {(folder / "file" / "x").string(), "is a file, not a folder"},
      {folder.string(), "it is a folder"},
      {"/proc/soket-test", "takes no new files"},
  };
  for (const auto& c : cases) {
    auto ours = run({soket_binary(), "http", server.url(), "-o", c.path});
    EXPECT_EQ(ours.exit_code, 1) << c.path;
    EXPECT_NE(ours.err.find(c.says), std::string::npos) << ours.err;
    EXPECT_EQ(std::count(ours.err.begin(), ours.err.end(), '\n'), 1) << ours.err;
  }
  fs::remove_all(folder);
}

TEST(HttpRetry, TransientStatusIsRetriedAfterRetryAfter) {
  ScriptedServer server(
      {"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n"
       "Content-Length: 4\r\n\r\nbusy",
       "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"});
  const auto start = Clock::now();
  auto ours = run({soket_binary(), "http", server.url(), "--retry", "3"});
  EXPECT_EQ(ours.exit_code, 0) << ours.err;
  EXPECT_EQ(ours.out, "ok");  // The 503's body is not written.
  EXPECT_EQ(server.count(), 2);
  EXPECT_GE(Clock::now() - start, 900ms);  // Retry-After: 1 was honoured.
  EXPECT_NE(ours.err.find("HTTP 503; trying again in 1 s (2 retries left)"), std::string::npos)
      << ours.err;
  // curl, the oracle, on the same script: the same count of requests, the same last body.
  ScriptedServer again(
      {"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n"
       "Content-Length: 4\r\n\r\nbusy",
       "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"});
  auto theirs = run({"curl", "-s", again.url(), "--retry", "3"}, "", 60s);
  EXPECT_EQ(theirs.exit_code, 0);
  EXPECT_EQ(again.count(), 2);
  EXPECT_EQ(theirs.out.substr(theirs.out.size() - 2), "ok");
}

TEST(HttpRetry, OnlyTransientFailuresAndAtMostNTimes) {
  ScriptedServer always({"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 3\r\n\r\nbad"});
  auto ours = run({soket_binary(), "http", always.url(), "--retry", "2", "--retry-delay", "0.1"});
  EXPECT_EQ(ours.exit_code, 0) << ours.err;
  EXPECT_EQ(always.count(), 3);  // The first try and two retries.
  EXPECT_EQ(ours.out, "bad");    // The last answer is written, as curl does.
  ScriptedServer missing({"HTTP/1.1 404 Not Found\r\nContent-Length: 1\r\n\r\nn"});
  auto not_retried = run({soket_binary(), "http", missing.url(), "--retry", "2", "-f"});
  EXPECT_EQ(not_retried.exit_code, 17);
  EXPECT_EQ(missing.count(), 1);
  // Refused is not transient unless asked (--retry-connrefused), as in curl.
  const ClosedTcpPort nobody;
  const std::string closed = "http://127.0.0.1:" + std::to_string(nobody.port()) + "/";
  auto refused = run({soket_binary(), "http", closed, "--retry", "2", "--retry-delay", "0.1"});
  EXPECT_EQ(refused.exit_code, 7);
  EXPECT_EQ(refused.err.find("trying again"), std::string::npos);
  auto curls = run({"curl", "-sS", closed, "--retry", "2", "--retry-delay", "1"}, "", 60s);
  EXPECT_EQ(curls.exit_code, 7);  // curl does not retry it either.
  EXPECT_EQ(curls.err.find("Will retry"), std::string::npos) << curls.err;
  auto asked = run({soket_binary(), "http", closed, "--retry", "2", "--retry-delay", "0.1",
                    "--retry-connrefused"});
  EXPECT_EQ(asked.exit_code, 7);
  EXPECT_NE(asked.err.find("1 retry left"), std::string::npos) << asked.err;
}

TEST(HttpResume, ALyingRangeReplyLeavesTheFileAlone) {
  const auto path = fs::temp_directory_path() / ("soket-resume-" + std::to_string(::getpid()));
  const std::string part(1000, 'A');
  struct Case {
    std::string reply;
    int exit_code;
  } cases[] = {
      // Starts at 0, not at 1000: appending it would corrupt the file.
      {"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-9/2000\r\nContent-Length: 10\r\n"
       "\r\nBBBBBBBBBB",
       13},
      {"HTTP/1.1 206 Partial Content\r\nContent-Length: 10\r\n\r\nBBBBBBBBBB", 13},
      {"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 1000-x/2000\r\n"
       "Content-Length: 10\r\n\r\nBBBBBBBBBB",
       13},
      // The whole file again: the server ignored the Range.
      {"HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n" + std::string(2000, 'B'), 1},
  };
  for (const auto& c : cases) {
    std::ofstream(path, std::ios::binary) << part;
    ScriptedServer server({c.reply});
    auto ours = run({soket_binary(), "http", server.url(), "-C", "-", "-o", path.string()});
    EXPECT_EQ(ours.exit_code, c.exit_code) << ours.err;
    EXPECT_EQ(read_file(path), part) << c.reply.substr(0, 40);
    ASSERT_EQ(server.requests().size(), 1u);
    EXPECT_NE(server.requests()[0].find("\r\nRange: bytes=1000-\r\n"), std::string::npos);
  }
  fs::remove(path);
}

// What a server receives from soket and from curl for the same data options: the same body
// and the same Content-Type (multipart boundaries aside, which both draw at random).
class HttpBodies : public testing::Test {
 protected:
  struct Received {
    std::string content_type, body, request;
  };
  static Received received(std::vector<std::string> args, bool ours) {
    ScriptedServer server({"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"});
    args.insert(args.begin(), server.url("/form"));
    if (ours) {
      args.insert(args.begin(), {soket_binary(), "http"});
    } else {
      args.insert(args.begin(), {"curl", "-s"});
    }
    auto result = run(args, "", 30s);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    const auto requests = server.requests();
    if (requests.size() != 1) return {};
    const std::string& request = requests[0];
    Received r{"", request.substr(request.find("\r\n\r\n") + 4), request};
    std::smatch match;
    if (std::regex_search(request, match, std::regex("\r\nContent-Type: ([^\r]*)")))
      r.content_type = match[1];
    std::smatch boundary;
    if (std::regex_search(r.content_type, boundary, std::regex("boundary=(.*)"))) {
      const std::string b = boundary[1];
      for (auto at = r.body.find(b); at != std::string::npos; at = r.body.find(b, at))
        r.body.replace(at, b.size(), "BOUNDARY");
      r.content_type.replace(r.content_type.find(b), b.size(), "BOUNDARY");
    }
    return r;
  }
  void same(const std::vector<std::string>& args) {
    const auto ours = received(args, true), theirs = received(args, false);
    EXPECT_EQ(ours.content_type, theirs.content_type) << args[0];
    EXPECT_EQ(ours.body, theirs.body) << args[0];
    EXPECT_FALSE(ours.body.empty());
  }
  void SetUp() override {
    folder_ = fs::temp_directory_path() / ("soket-bodies-" + std::to_string(::getpid()));
    fs::create_directories(folder_);
    std::ofstream(folder_ / "lines.txt") << "a=1\r\nb=2\nc=3\n";
    std::ofstream(folder_ / "data.json") << "{\"k\": [1, 2]}\n";
    std::string binary;
    for (int i = 0; i < 256; ++i) binary += static_cast<char>(i);
    std::ofstream(folder_ / "blob.bin", std::ios::binary) << binary;
  }
  void TearDown() override { fs::remove_all(folder_); }
  std::string file(const std::string& name) const { return (folder_ / name).string(); }
  fs::path folder_;
};

TEST_F(HttpBodies, DataJsonAndFormAsCurlSendsThem) {
  same({"-d", "x=1", "-d", "y=2"});
  same({"-d", "@" + file("lines.txt")});
  same({"-d", "a\nb"});  // Newlines are dropped from @FILE only: TEXT goes as it is.
  same({"--data-binary", "@" + file("blob.bin")});
  same({"--data-raw", "@not-a-file"});
  same({"--json", "@" + file("data.json")});
  same({"--json", "{\"a\":", "--json", "1}"});
  same({"-F", "name=value", "-F", "file=@" + file("lines.txt"), "-F",
        "blob=@" + file("blob.bin") + ";type=application/x-test", "-F",
        "text=<" + file("data.json")});
}

TEST_F(HttpBodies, AgentRefererAndUser) {
  const auto ours = received({"-A", "agent/1", "-e", "http://from/", "-u", "u:p"}, true);
  EXPECT_NE(ours.request.find("\r\nUser-Agent: agent/1\r\n"), std::string::npos) << ours.request;
  EXPECT_NE(ours.request.find("\r\nReferer: http://from/\r\n"), std::string::npos);
  EXPECT_NE(ours.request.find("\r\nAuthorization: Basic dTpw\r\n"), std::string::npos);
  EXPECT_EQ(ours.request.rfind("GET /form HTTP/1.1\r\n", 0), 0u);
  // -e ';auto' as curl's: a redirect's request names the URL it came from.
  const std::string found = "HTTP/1.1 302 Found\r\nLocation: /next\r\nContent-Length: 0\r\n\r\n";
  const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  ScriptedServer hops({found, ok, found, ok});
  for (const std::string& program : {soket_binary(), std::string("curl")}) {
    auto result = run({program, program == "curl" ? "-s" : "http", hops.url("/first"), "-L", "-e",
                       "http://from/;auto"},
                      "", 30s);
    EXPECT_EQ(result.exit_code, 0) << program << result.err;
  }
  const auto seen = hops.requests();
  ASSERT_EQ(seen.size(), 4u);
  for (int i = 0; i < 2; ++i) {  // Ours, then curl's: the same Referer on each hop.
    const auto referer = [](const std::string& request) {
      std::smatch match;
      return std::regex_search(request, match, std::regex("\r\nReferer: ([^\r]*)"))
                 ? std::string(match[1])
                 : std::string("(none)");
    };
    EXPECT_EQ(referer(seen[2 * i]), "http://from/") << i;
    EXPECT_EQ(referer(seen[2 * i + 1]), hops.url("/first")) << i;
  }
  auto missing = run({soket_binary(), "http", "http://127.0.0.1:1/", "-d", "@/nonexistent/x"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("cannot read '/nonexistent/x'"), std::string::npos) << missing.err;
}

TEST(HttpTimeouts, ConnectTimeoutNamesItsFlagAndTheTimeWaited) {
  // A listener whose backlog is full: the kernel drops further SYNs, so connect(2) hangs.
  auto listener = net::open_listener(net::Address::parse("127.0.0.1", 0).value(), {}, 0).value();
  const auto address =
      net::Address::parse("127.0.0.1", net::local_address(listener.get())->port()).value();
  std::vector<net::Fd> fillers;
  for (int i = 0; i < 4; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    (void)::connect(fd, address.data(), address.length());
    fillers.emplace_back(fd);
  }
  const std::string url = "http://" + address.to_string() + "/";
  const auto start = Clock::now();
  auto ours = run({soket_binary(), "http", url, "--connect-timeout", "0.5"});
  const auto waited = Clock::now() - start;
  EXPECT_EQ(ours.exit_code, 8) << ours.err;
  EXPECT_NE(ours.err.find("within 0.5 s, the --connect-timeout (waited 0."), std::string::npos)
      << ours.err;
  EXPECT_GE(waited, 450ms);
  // --max-time shorter than --connect-timeout: the message names --max-time.
  auto capped = run({soket_binary(), "http", url, "--connect-timeout", "30", "-m", "0.5"});
  EXPECT_EQ(capped.exit_code, 8) << capped.err;
  EXPECT_NE(capped.err.find("within 0.5 s, the --max-time"), std::string::npos) << capped.err;
}

TEST(HttpOptions, OutputDashIsStdoutAndBadValuesAreRefused) {
  RawServer server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  auto dash = run({soket_binary(), "http", server.url(), "-o", "-"});
  EXPECT_EQ(dash.exit_code, 0) << dash.err;
  EXPECT_EQ(dash.out, "ok");
  EXPECT_EQ(run({soket_binary(), "http", server.url(), "-C", "x", "-o", "f"}).exit_code, 2);
  EXPECT_EQ(run({soket_binary(), "http", server.url(), "-u", "nopassword"}).exit_code, 2);
  EXPECT_EQ(run({soket_binary(), "http", server.url(), "-O", "-o", "f"}).exit_code, 2);
}

// -O takes a name in the current folder, never a path: what would climb out, name a folder or
// hide a separator is refused with one line, and nothing is written anywhere.
TEST(HttpOptions, RemoteNameAttacksAreRefused) {
  RawServer server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  const auto folder = fs::temp_directory_path() / ("soket-O-" + std::to_string(::getpid()));
  fs::create_directories(folder / "in");
  for (const std::string path : {"/a/..", "/%2e%2e", "/%2E%2e", "/a%2fb", "/..%2f..%2fescaped", "/",
                                 "/a/", "/x/.", "/a%5cb", "/a%00b"}) {
    auto ours = run_in(folder / "in", {soket_binary(), "http", "-O", server.url(path)});
    EXPECT_EQ(ours.exit_code, 2) << path;
    EXPECT_NE(ours.err.find("-O cannot take a file name"), std::string::npos) << ours.err;
    EXPECT_EQ(std::count(ours.err.begin(), ours.err.end(), '\n'), 1) << ours.err;
  }
  EXPECT_TRUE(fs::is_empty(folder / "in"));
  EXPECT_EQ(std::distance(fs::directory_iterator(folder), fs::directory_iterator()), 1);
  fs::remove_all(folder);
}

}  // namespace
}  // namespace soket::test
