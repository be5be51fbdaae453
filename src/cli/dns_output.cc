#include "cli/dns_output.h"

#include <fmt/core.h>

#include <chrono>
#include <nlohmann/json.hpp>

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

// `line`, then each field at its column: tabs (8 wide) up to the column, or one space once
// the line has passed it. This is how BIND lays out a record (masterdump.c's indent).
std::string columns(const std::vector<std::pair<std::size_t, std::string>>& fields,
                    std::string line) {
  std::size_t width = line.size();
  std::string out = line;
  for (const auto& [column, field] : fields) {
    std::string pad;
    if (width >= column) {
      pad = " ";
      width += 1;
    } else {
      while (width < column) {
        pad.push_back('\t');
        width = (width / 8 + 1) * 8;
      }
    }
    out += pad + field;
    width += field.size();
  }
  return out;
}

void section(std::string& out, const DnsDisplay& display, const char* title,
             const std::vector<Record>& records) {
  if (records.empty()) return;
  if (display.comments) out += fmt::format("\n;; {} SECTION:\n", title);
  for (const auto& r : records) out += record_line(r) + "\n";
}

nlohmann::json json_records(const std::vector<Record>& records) {
  auto list = nlohmann::json::array();
  for (const auto& r : records) {
    list.push_back({{"name", r.name},
                    {"ttl", r.ttl},
                    {"class", proto::dns::class_name(r.rclass)},
                    {"type", proto::dns::type_name(r.type)},
                    {"data", r.data}});
  }
  return list;
}

long milliseconds(Duration d) {
  return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

void header_text(std::string& out, const clients::DnsResponse& response) {
  const auto& m = response.message;
  const auto& h = m.header;
  out += ";; Got answer:\n";
  if (response.retried_over_tcp) out += ";; Truncated, retrying in TCP mode.\n";
  out += fmt::format(";; ->>HEADER<<- opcode: {}, status: {}, id: {}\n",
                     proto::dns::opcode_name(h.opcode), proto::dns::rcode_name(h.rcode), h.id);
  out += fmt::format(";; flags: {}; QUERY: {}, ANSWER: {}, AUTHORITY: {}, ADDITIONAL: {}\n",
                     flags_text(h), h.qdcount, h.ancount, h.nscount, h.arcount);
  if (m.edns) {
    out += fmt::format("\n;; OPT PSEUDOSECTION:\n; EDNS: version: {}, flags:{}; udp: {}\n",
                       m.edns->version, m.edns->dnssec_ok ? " do" : "", m.edns->udp_size);
  }
}

}  // namespace

std::string record_line(const Record& r) {
  return columns({{24, std::to_string(r.ttl)},
                  {32, proto::dns::class_name(r.rclass)},
                  {40, proto::dns::type_name(r.type)},
                  {48, r.data}},
                 r.name);
}

std::string dig_text(const clients::DnsResponse& response, const DnsShown& shown,
                     const DnsDisplay& display) {
  const auto& m = response.message;
  std::string out;
  if (display.cmd) out += fmt::format("\n; <<>> soket dns <<>> {}\n", shown.asked);
  if (display.comments) header_text(out, response);
  if (display.question) {
    if (display.comments) out += "\n;; QUESTION SECTION:\n";
    for (const auto& q : m.questions) {
      out += columns({{32, proto::dns::class_name(q.qclass)}, {40, proto::dns::type_name(q.qtype)}},
                     ";" + q.name) +
             "\n";
    }
  }
  if (display.answer) section(out, display, "ANSWER", m.answers);
  if (display.authority) section(out, display, "AUTHORITY", m.authority);
  if (display.additional) section(out, display, "ADDITIONAL", m.additional);
  if (display.stats) {
    out += fmt::format("\n;; Query time: {} msec\n;; SERVER: {} ({})\n;; MSG SIZE  rcvd: {}\n\n",
                       milliseconds(response.elapsed), shown.server,
                       response.transport == net::Transport::tcp ? "TCP" : "UDP", response.size);
  }
  return out;
}

std::string short_text(const clients::DnsResponse& response) {
  std::string out;
  for (const auto& r : response.message.answers) out += r.data + "\n";
  return out;
}

std::string json_text(const clients::DnsQuery& query, const clients::DnsOutcome& outcome,
                      const DnsShown& shown) {
  const auto& response = outcome.response;
  nlohmann::json object = {{"name", query.name},
                           {"type", proto::dns::type_name(query.qtype)},
                           {"class", proto::dns::class_name(query.qclass)},
                           {"server", shown.server}};
  if (!response) {
    object["error"] = response.error().message();
    if (outcome.in_tcp_retry) object["tcp_retry"] = true;
  } else {
    const auto& m = response->message;
    object["status"] = proto::dns::rcode_name(m.header.rcode);
    object["id"] = m.header.id;
    object["flags"] = flags_text(m.header);
    object["answer"] = json_records(m.answers);
    object["authority"] = json_records(m.authority);
    object["additional"] = json_records(m.additional);
    object["query_time_ms"] = milliseconds(response->elapsed);
    object["transport"] = response->transport == net::Transport::tcp ? "tcp" : "udp";
    object["size"] = response->size;
  }
  // Every string is ASCII already (names and data escaped); `replace` keeps a bad byte from
  // ever throwing.
  return object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace soket::cli
