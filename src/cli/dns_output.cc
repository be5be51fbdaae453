#include "cli/dns_output.h"

#include <fmt/core.h>

#include <chrono>

namespace soket::cli {
namespace {

using proto::dns::Record;

std::string flags_text(const proto::dns::Header& h) {
  std::string flags;
  for (const auto& [on, name] : {std::pair{h.qr, "qr"},
                                 {h.aa, "aa"},
                                 {h.tc, "tc"},
                                 {h.rd, "rd"},
                                 {h.ra, "ra"},
                                 {h.ad, "ad"},
                                 {h.cd, "cd"}}) {
    if (on) flags += (flags.empty() ? "" : " ") + std::string(name);
  }
  return flags;
}

std::string record_line(const Record& r) {
  return fmt::format("{}\t\t{}\t{}\t{}\t{}\n", r.name, r.ttl, proto::dns::class_name(r.rclass),
                     proto::dns::type_name(r.type), r.data);
}

void section(std::string& out, const char* title, const std::vector<Record>& records) {
  if (records.empty()) return;
  out += fmt::format("\n;; {} SECTION:\n", title);
  for (const auto& r : records) out += record_line(r);
}

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
    } else {
      out.push_back(c);
    }
  }
  return out + "\"";
}

std::string json_records(const std::vector<Record>& records) {
  std::string out = "[";
  for (const auto& r : records) {
    if (out.size() > 1) out += ",";
    out += fmt::format("{{\"name\":{},\"ttl\":{},\"class\":\"{}\",\"type\":\"{}\",\"data\":{}}}",
                       json_string(r.name), r.ttl, proto::dns::class_name(r.rclass),
                       proto::dns::type_name(r.type), json_string(r.data));
  }
  return out + "]";
}

long milliseconds(Duration d) {
  return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

}  // namespace

std::string dig_text(const clients::DnsResponse& response, const DnsShown& shown) {
  const auto& m = response.message;
  const auto& h = m.header;
  std::string out = fmt::format("; <<>> soket dns <<>> {}\n;; Got answer:\n", shown.asked);
  if (response.retried_over_tcp) out += ";; Truncated, retrying in TCP mode.\n";
  out += fmt::format(";; ->>HEADER<<- opcode: {}, status: {}, id: {}\n",
                     proto::dns::opcode_name(h.opcode), proto::dns::rcode_name(h.rcode), h.id);
  out += fmt::format(";; flags: {}; QUERY: {}, ANSWER: {}, AUTHORITY: {}, ADDITIONAL: {}\n",
                     flags_text(h), h.qdcount, h.ancount, h.nscount, h.arcount);
  if (m.edns) {
    out += fmt::format("\n;; OPT PSEUDOSECTION:\n; EDNS: version: {}, flags:{}; udp: {}\n",
                       m.edns->version, m.edns->dnssec_ok ? " do" : "", m.edns->udp_size);
  }
  out += "\n;; QUESTION SECTION:\n";
  for (const auto& q : m.questions) {
    out += fmt::format(";{}\t\t\t{}\t{}\n", q.name, proto::dns::class_name(q.qclass),
                       proto::dns::type_name(q.qtype));
  }
  section(out, "ANSWER", m.answers);
  section(out, "AUTHORITY", m.authority);
  section(out, "ADDITIONAL", m.additional);
  out += fmt::format("\n;; Query time: {} msec\n;; SERVER: {} ({})\n;; MSG SIZE  rcvd: {}\n",
                     milliseconds(response.elapsed), shown.server,
                     response.transport == net::Transport::tcp ? "TCP" : "UDP", response.size);
  return out;
}

std::string short_text(const clients::DnsResponse& response) {
  std::string out;
  for (const auto& r : response.message.answers) out += r.data + "\n";
  return out;
}

std::string json_text(const std::string& name, std::uint16_t qtype,
                      const clients::DnsOutcome& outcome, const DnsShown& shown) {
  const auto& response = outcome.response;
  const std::string head =
      fmt::format("{{\"name\":{},\"type\":\"{}\",\"server\":{}", json_string(name),
                  proto::dns::type_name(qtype), json_string(shown.server));
  if (!response) {
    return head + fmt::format(",\"error\":{}{}}}\n", json_string(response.error().message()),
                              outcome.in_tcp_retry ? ",\"tcp_retry\":true" : "");
  }
  const auto& m = response->message;
  return head + fmt::format(
                    ",\"status\":\"{}\",\"id\":{},\"flags\":{},\"answer\":{},\"authority\":{},"
                    "\"additional\":{},\"query_time_ms\":{},\"transport\":\"{}\",\"size\":{}}}\n",
                    proto::dns::rcode_name(m.header.rcode), m.header.id,
                    json_string(flags_text(m.header)), json_records(m.answers),
                    json_records(m.authority), json_records(m.additional),
                    milliseconds(response->elapsed),
                    response->transport == net::Transport::tcp ? "tcp" : "udp", response->size);
}

}  // namespace soket::cli
