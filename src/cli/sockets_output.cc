#include "cli/sockets_output.h"

#include <fmt/core.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace soket::cli {
namespace {

using clients::ListedSocket;

// Bytes that are not printable ASCII as \xHH: a Unix socket's name is whatever its owner
// bound, and a process may give itself any name, escape sequences included.
std::string escaped(std::string_view text) {
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f || c == '\\') {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

// A Unix socket's name as ss prints it: an abstract name (leading NUL) as '@' and the rest.
std::string unix_name_text(const std::string& name) {
  if (name.empty()) return "*";
  if (name.front() == '\0') return "@" + escaped(std::string_view(name).substr(1));
  return escaped(name);
}

std::string local_text(const ListedSocket& s) {
  return s.is_unix ? unix_name_text(s.unix_name) : s.local.to_string();
}

// ss's peer column: the address and port, or for a Unix socket its peer's inode.
std::string peer_text(const ListedSocket& s) {
  if (s.is_unix) return s.has_peer ? std::to_string(*s.peer_inode) : "*";
  if (s.has_peer) return s.peer.to_string();
  return s.peer.is_v6() ? "[" + s.peer.host() + "]:*" : s.peer.host() + ":*";
}

// ss -i's words for what soket reads of tcp_info; times in milliseconds, as ss prints them.
std::string info_text(const proto::sockstat::TcpInfo& info) {
  std::string out =
      fmt::format("rto:{:g} rtt:{:g}/{:g} mss:{} cwnd:{}", info.rto_us / 1000.0,
                  info.rtt_us / 1000.0, info.rttvar_us / 1000.0, info.snd_mss, info.snd_cwnd);
  // ss leaves out the initial "infinite" threshold.
  if (info.snd_ssthresh < 0xFFFF) out += fmt::format(" ssthresh:{}", info.snd_ssthresh);
  out += fmt::format(" retrans:{}/{}", info.retrans, info.total_retrans);
  return out;
}

std::string details_text(const ListedSocket& s, const SocketsOutput& output) {
  std::string out;
  if (output.extended) {
    if (s.uid) out += fmt::format(" uid:{}", *s.uid);
    out += fmt::format(" ino:{}", s.inode);
  }
  if (output.info && s.tcp_info) out += " " + info_text(*s.tcp_info);
  return out;
}

nlohmann::ordered_json info_json(const proto::sockstat::TcpInfo& info) {
  return {{"rto_ms", info.rto_us / 1000.0},
          {"rtt_ms", info.rtt_us / 1000.0},
          {"rttvar_ms", info.rttvar_us / 1000.0},
          {"snd_mss", info.snd_mss},
          {"rcv_mss", info.rcv_mss},
          {"cwnd", info.snd_cwnd},
          {"ssthresh", info.snd_ssthresh},
          {"retransmits", info.retransmits},
          {"retrans", info.retrans},
          {"total_retrans", info.total_retrans}};
}

nlohmann::ordered_json socket_json(const ListedSocket& s, const SocketsOutput& output) {
  nlohmann::ordered_json out = {
      {"proto", s.protocol}, {"state", s.state},       {"recv_q", s.recv_q},
      {"send_q", s.send_q},  {"local", local_text(s)}, {"peer", peer_text(s)},
      {"inode", s.inode},    {"uid", nullptr},         {"process", nullptr}};
  if (s.uid) out["uid"] = *s.uid;
  if (s.process) out["process"] = {{"pid", s.process->pid}, {"name", s.process->name}};
  if (s.is_unix) {
    out["path"] = s.unix_name;  // The raw name; an abstract one starts with "\u0000".
    out["peer_inode"] =
        s.has_peer ? nlohmann::ordered_json(*s.peer_inode) : nlohmann::ordered_json(nullptr);
  }
  if (output.info && !s.is_unix && s.protocol == "tcp") {
    out["tcp_info"] = s.tcp_info ? info_json(*s.tcp_info) : nlohmann::ordered_json(nullptr);
  }
  return out;
}

std::string dump(const nlohmann::ordered_json& value) {
  return value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace

void print_socket_table(const clients::SocketListing& listing, const SocketsOutput& output) {
  std::size_t local_width = 20, peer_width = 20;
  for (const auto& s : listing.sockets) {
    local_width = std::max(local_width, local_text(s).size());
    peer_width = std::max(peer_width, peer_text(s).size());
  }
  fmt::print("{:<5} {:<10} {:>7} {:>7} {:<{}} {:<{}}{}\n", "Proto", "State", "Recv-Q", "Send-Q",
             "Local", local_width, "Peer", peer_width, output.processes ? " Process" : "");
  for (const auto& s : listing.sockets) {
    std::string process;
    if (output.processes) {
      process = s.process ? fmt::format(" {}/{}", s.process->pid, escaped(s.process->name)) : " -";
    }
    fmt::print("{:<5} {:<10} {:>7} {:>7} {:<{}} {:<{}}{}{}\n", s.protocol, s.state, s.recv_q,
               s.send_q, local_text(s), local_width, peer_text(s), peer_width, process,
               details_text(s, output));
  }
}

void print_socket_json(const clients::SocketListing& listing, const SocketsOutput& output) {
  for (const auto& s : listing.sockets) fmt::print("{}\n", dump(socket_json(s, output)));
}

void print_socket_summary(const clients::SocketSummary& summary, bool json) {
  if (json) {
    nlohmann::ordered_json out = {{"total", summary.total},
                                  {"protocols", nlohmann::ordered_json::object()}};
    for (const auto& [name, count] : summary.protocols) {
      nlohmann::ordered_json entry = {{"total", count.total}, {"states", count.states}};
      if (name != "unix") {
        entry["ipv4"] = count.ipv4;
        entry["ipv6"] = count.ipv6;
      }
      out["protocols"][name] = entry;
    }
    fmt::print("{}\n", dump(out));
    return;
  }
  fmt::print("Total: {}\n", summary.total);
  fmt::print("{:<6} {:>7} {:>7} {:>7}  {}\n", "Proto", "Total", "IPv4", "IPv6", "States");
  for (const auto& [name, count] : summary.protocols) {
    std::string states;
    for (const auto& [state, n] : count.states) {
      states += fmt::format("{}{} {}", states.empty() ? "" : ", ", state, n);
    }
    const bool unix_sockets = name == "unix";
    fmt::print("{:<6} {:>7} {:>7} {:>7}  {}\n", name, count.total,
               unix_sockets ? "-" : std::to_string(count.ipv4),
               unix_sockets ? "-" : std::to_string(count.ipv6), states);
  }
}

}  // namespace soket::cli
