// The unix_diag parser and the tcp_info attribute of inet_diag, against bytes built from the
// kernel's own structs (linux/unix_diag.h, linux/inet_diag.h, linux/tcp.h): an independent
// builder, laid out by the compiler rather than by hand.
#include <gtest/gtest.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "proto/sockstat/inet_diag.h"
#include "proto/sockstat/unix_diag.h"

namespace soket::proto::sockstat {
namespace {

template <typename T>
void append_struct(std::vector<std::byte>& out, const T& value) {
  const auto* p = reinterpret_cast<const std::byte*>(&value);
  out.insert(out.end(), p, p + sizeof value);
}

void append_attribute(std::vector<std::byte>& out, unsigned short type, const void* payload,
                      std::size_t size) {
  rtattr attribute{};
  attribute.rta_len = static_cast<unsigned short>(RTA_LENGTH(size));
  attribute.rta_type = type;
  append_struct(out, attribute);
  const auto* p = static_cast<const std::byte*>(payload);
  out.insert(out.end(), p, p + size);
  out.resize(out.size() + (RTA_ALIGN(size) - size));
}

// One netlink message around `body`.
std::vector<std::byte> message(std::uint16_t type, const std::vector<std::byte>& body) {
  nlmsghdr header{};
  header.nlmsg_len = static_cast<std::uint32_t>(NLMSG_LENGTH(body.size()));
  header.nlmsg_type = type;
  header.nlmsg_flags = NLM_F_MULTI;
  std::vector<std::byte> out;
  append_struct(out, header);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

std::vector<std::byte> unix_socket(std::uint8_t type, std::uint8_t state, std::uint32_t inode,
                                   const std::string& name, std::uint32_t peer) {
  unix_diag_msg msg{};
  msg.udiag_family = AF_UNIX;
  msg.udiag_type = type;
  msg.udiag_state = state;
  msg.udiag_ino = inode;
  std::vector<std::byte> body;
  append_struct(body, msg);
  if (!name.empty()) append_attribute(body, UNIX_DIAG_NAME, name.data(), name.size());
  if (peer != 0) append_attribute(body, UNIX_DIAG_PEER, &peer, sizeof peer);
  const unix_diag_rqlen rqlen{3, 7};
  append_attribute(body, UNIX_DIAG_RQLEN, &rqlen, sizeof rqlen);
  const std::uint32_t uid = 1000;
  append_attribute(body, UNIX_DIAG_UID, &uid, sizeof uid);
  return message(SOCK_DIAG_BY_FAMILY, body);
}

std::vector<std::byte> done() {
  return message(NLMSG_DONE, std::vector<std::byte>(4));
}

TEST(SockstatUnixDiag, RequestIsTheKernelsStruct) {
  const auto request = unix_dump_request(kAllStates, 9);
  ASSERT_EQ(request.size(), sizeof(nlmsghdr) + sizeof(unix_diag_req));
  nlmsghdr header;
  unix_diag_req req;
  std::memcpy(&header, request.data(), sizeof header);
  std::memcpy(&req, request.data() + sizeof header, sizeof req);
  EXPECT_EQ(header.nlmsg_len, request.size());
  EXPECT_EQ(header.nlmsg_type, SOCK_DIAG_BY_FAMILY);
  EXPECT_EQ(header.nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
  EXPECT_EQ(header.nlmsg_seq, 9u);
  EXPECT_EQ(req.sdiag_family, AF_UNIX);
  EXPECT_EQ(req.udiag_states, kAllStates);
  EXPECT_EQ(req.udiag_ino, 0u);
  EXPECT_EQ(req.udiag_show, static_cast<std::uint32_t>(UDIAG_SHOW_NAME | UDIAG_SHOW_PEER |
                                                       UDIAG_SHOW_RQLEN | UDIAG_SHOW_UID));
}

TEST(SockstatUnixDiag, ParsesNamesPeersQueuesAndUid) {
  std::vector<std::byte> datagram = unix_socket(SOCK_STREAM, kListen, 11, "/run/a.sock", 0);
  const auto second = unix_socket(SOCK_DGRAM, kEstablished, 12, std::string("\0abs", 4), 13);
  const auto third = unix_socket(SOCK_SEQPACKET, kClose, 14, std::string("/tmp/x\0", 7), 0);
  const auto end = done();
  for (const auto* part : {&second, &third, &end}) {
    datagram.insert(datagram.end(), part->begin(), part->end());
  }
  std::vector<UnixRecord> out;
  auto part = parse_unix_dump(datagram, out);
  ASSERT_TRUE(part.ok()) << part.error().message();
  EXPECT_TRUE(part->done);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].name, "/run/a.sock");
  EXPECT_EQ(out[0].state, kListen);
  EXPECT_EQ(out[0].inode, 11u);
  EXPECT_FALSE(out[0].peer_inode);
  EXPECT_EQ(out[0].recv_q, 3u);
  EXPECT_EQ(out[0].send_q, 7u);
  EXPECT_EQ(out[0].uid, 1000u);
  EXPECT_EQ(unix_type_name(out[0].type), "u_str");
  EXPECT_EQ(out[1].name, std::string("\0abs", 4));  // Abstract: every byte kept.
  EXPECT_EQ(out[1].peer_inode, 13u);
  EXPECT_EQ(unix_type_name(out[1].type), "u_dgr");
  EXPECT_EQ(out[2].name, "/tmp/x");  // A path ends at its NUL.
  EXPECT_EQ(unix_type_name(out[2].type), "u_seq");
  EXPECT_EQ(state_name(out[2].state), "UNCONN");
}

TEST(SockstatUnixDiag, EveryTruncatedPrefixIsAnErrorOrIncomplete) {
  const auto bytes = unix_socket(SOCK_STREAM, kEstablished, 1, "/run/b.sock", 2);
  for (std::size_t length = 1; length < bytes.size(); ++length) {
    auto copy = std::make_unique<std::byte[]>(length);  // Exact size: ASan sees any overread.
    std::memcpy(copy.get(), bytes.data(), length);
    std::vector<UnixRecord> out;
    auto part = parse_unix_dump({copy.get(), length}, out);
    EXPECT_TRUE(out.empty()) << length;
    if (part.ok()) {
      EXPECT_FALSE(part->done) << length;
    }
  }
}

TEST(SockstatUnixDiag, HostileAttributesAreRejected) {
  unix_diag_msg msg{};
  msg.udiag_family = AF_UNIX;
  {  // A name longer than sun_path.
    std::vector<std::byte> body;
    append_struct(body, msg);
    const std::string name(109, 'a');
    append_attribute(body, UNIX_DIAG_NAME, name.data(), name.size());
    std::vector<UnixRecord> out;
    auto part = parse_unix_dump(message(SOCK_DIAG_BY_FAMILY, body), out);
    ASSERT_FALSE(part.ok());
    EXPECT_EQ(part.error(), errc::long_unix_name);
  }
  {  // An attribute claiming more bytes than its message has.
    std::vector<std::byte> body;
    append_struct(body, msg);
    rtattr attribute{};
    attribute.rta_len = 200;
    attribute.rta_type = UNIX_DIAG_NAME;
    append_struct(body, attribute);
    std::vector<UnixRecord> out;
    auto part = parse_unix_dump(message(SOCK_DIAG_BY_FAMILY, body), out);
    ASSERT_FALSE(part.ok());
    EXPECT_EQ(part.error(), errc::bad_attribute);
  }
  {  // A length below the attribute's own header.
    std::vector<std::byte> body;
    append_struct(body, msg);
    rtattr attribute{};
    attribute.rta_len = 2;
    append_struct(body, attribute);
    std::vector<UnixRecord> out;
    auto part = parse_unix_dump(message(SOCK_DIAG_BY_FAMILY, body), out);
    ASSERT_FALSE(part.ok());
    EXPECT_EQ(part.error(), errc::bad_attribute);
  }
  {  // A peer inode of two bytes.
    std::vector<std::byte> body;
    append_struct(body, msg);
    const std::uint16_t half = 5;
    append_attribute(body, UNIX_DIAG_PEER, &half, sizeof half);
    std::vector<UnixRecord> out;
    auto part = parse_unix_dump(message(SOCK_DIAG_BY_FAMILY, body), out);
    ASSERT_FALSE(part.ok());
    EXPECT_EQ(part.error(), errc::short_attribute);
  }
}

std::vector<std::byte> tcp_socket(const tcp_info* info, std::size_t info_size) {
  inet_diag_msg msg{};
  msg.idiag_family = AF_INET;
  msg.idiag_state = kEstablished;
  msg.id.idiag_sport = htons(8080);
  msg.id.idiag_dport = htons(40000);
  msg.idiag_uid = 1000;
  msg.idiag_inode = 77;
  std::vector<std::byte> body;
  append_struct(body, msg);
  if (info != nullptr) append_attribute(body, INET_DIAG_INFO, info, info_size);
  return message(SOCK_DIAG_BY_FAMILY, body);
}

TEST(SockstatTcpInfo, RequestAsksForInfo) {
  const auto request = dump_request(AF_INET, IPPROTO_TCP, kAllStates, 1, true);
  inet_diag_req_v2 req;
  std::memcpy(&req, request.data() + sizeof(nlmsghdr), sizeof req);
  EXPECT_EQ(req.idiag_ext, 1u << (INET_DIAG_INFO - 1));
  const auto plain = dump_request(AF_INET, IPPROTO_TCP, kAllStates, 1);
  std::memcpy(&req, plain.data() + sizeof(nlmsghdr), sizeof req);
  EXPECT_EQ(req.idiag_ext, 0u);
}

TEST(SockstatTcpInfo, FieldsComeFromTheirOffsets) {
  tcp_info info{};
  info.tcpi_retransmits = 2;
  info.tcpi_rto = 204000;
  info.tcpi_snd_mss = 32768;
  info.tcpi_rcv_mss = 536;
  info.tcpi_retrans = 1;
  info.tcpi_rtt = 25;
  info.tcpi_rttvar = 12;
  info.tcpi_snd_ssthresh = 7;
  info.tcpi_snd_cwnd = 10;
  info.tcpi_total_retrans = 3;
  std::vector<SocketRecord> out;
  auto part = parse_dump(tcp_socket(&info, sizeof info), IPPROTO_TCP, out);
  ASSERT_TRUE(part.ok()) << part.error().message();
  ASSERT_EQ(out.size(), 1u);
  ASSERT_TRUE(out[0].tcp_info);
  const TcpInfo& got = *out[0].tcp_info;
  EXPECT_EQ(got.retransmits, 2);
  EXPECT_EQ(got.rto_us, 204000u);
  EXPECT_EQ(got.snd_mss, 32768u);
  EXPECT_EQ(got.rcv_mss, 536u);
  EXPECT_EQ(got.retrans, 1u);
  EXPECT_EQ(got.rtt_us, 25u);
  EXPECT_EQ(got.rttvar_us, 12u);
  EXPECT_EQ(got.snd_ssthresh, 7u);
  EXPECT_EQ(got.snd_cwnd, 10u);
  EXPECT_EQ(got.total_retrans, 3u);
  EXPECT_EQ(out[0].uid, 1000u);
  EXPECT_EQ(out[0].inode, 77u);
  // UDP sockets have no tcp_info: the same attribute is not read as one.
  out.clear();
  ASSERT_TRUE(parse_dump(tcp_socket(&info, sizeof info), IPPROTO_UDP, out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].tcp_info);
}

TEST(SockstatTcpInfo, ShortInfoIsRejectedAndNoInfoIsFine) {
  tcp_info info{};
  std::vector<SocketRecord> out;
  auto part = parse_dump(tcp_socket(&info, kTcpInfoMinSize - 4), IPPROTO_TCP, out);
  ASSERT_FALSE(part.ok());
  EXPECT_EQ(part.error(), errc::short_tcp_info);
  out.clear();
  ASSERT_TRUE(parse_dump(tcp_socket(nullptr, 0), IPPROTO_TCP, out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].tcp_info);
}

TEST(SockstatTcpInfo, EveryTruncatedPrefixIsAnErrorOrIncomplete) {
  tcp_info info{};
  info.tcpi_snd_cwnd = 10;
  const auto bytes = tcp_socket(&info, sizeof info);
  for (std::size_t length = 1; length < bytes.size(); ++length) {
    auto copy = std::make_unique<std::byte[]>(length);
    std::memcpy(copy.get(), bytes.data(), length);
    std::vector<SocketRecord> out;
    auto part = parse_dump({copy.get(), length}, IPPROTO_TCP, out);
    EXPECT_TRUE(out.empty()) << length;
    if (part.ok()) {
      EXPECT_FALSE(part->done) << length;
    }
  }
}

}  // namespace
}  // namespace soket::proto::sockstat
