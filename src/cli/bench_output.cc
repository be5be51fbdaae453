#include "cli/bench_output.h"

#include <fmt/core.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <system_error>
#include <vector>

namespace soket::cli {
namespace {

using nlohmann::ordered_json;

// A latency in the unit that suits it, as wrk prints them.
std::string duration_text(double ns) {
  if (ns < 1e6) return fmt::format("{:.1f} us", ns / 1e3);
  if (ns < 1e9) return fmt::format("{:.2f} ms", ns / 1e6);
  return fmt::format("{:.3f} s", ns / 1e9);
}

std::string d(std::uint64_t ns) {
  return duration_text(static_cast<double>(ns));
}

ordered_json latency_json(const clients::LatencySummary& s) {
  const auto us = [](double ns) { return ns / 1e3; };
  ordered_json j;
  j["count"] = s.count;
  j["min"] = us(static_cast<double>(s.min_ns));
  j["mean"] = us(s.mean_ns);
  j["stddev"] = us(s.stddev_ns);
  j["max"] = us(static_cast<double>(s.max_ns));
  j["p50"] = us(static_cast<double>(s.p50_ns));
  j["p90"] = us(static_cast<double>(s.p90_ns));
  j["p99"] = us(static_cast<double>(s.p99_ns));
  j["p999"] = us(static_cast<double>(s.p999_ns));
  j["p9999"] = us(static_cast<double>(s.p9999_ns));
  return j;
}

template <typename T>
ordered_json or_null(const std::optional<T>& value) {
  return value ? ordered_json(*value) : ordered_json(nullptr);
}

std::string errors_text(const clients::LoadReport& r) {
  std::vector<std::string> causes;
  if (r.connect_failures) causes.push_back(fmt::format("{} not connected", r.connect_failures));
  if (r.closed_by_peer) causes.push_back(fmt::format("{} closed by the server", r.closed_by_peer));
  if (r.io_errors) causes.push_back(fmt::format("{} read/write errors", r.io_errors));
  if (r.lost_datagrams) causes.push_back(fmt::format("{} datagrams lost", r.lost_datagrams));
  std::string text = std::to_string(r.errors);
  for (std::size_t i = 0; i < causes.size(); ++i) text += (i == 0 ? " (" : ", ") + causes[i];
  if (!causes.empty()) text += ")";
  if (r.first_error) text += fmt::format("; first: {}", r.first_error.message());
  return text;
}

std::string rate_text(const BenchDescription& d, const clients::LoadReport& r) {
  if (r.rate_reached) {
    return fmt::format("  rate         target {}/s reached ({:.1f}/s)\n", rate_number(d.rate),
                       r.messages_per_second);
  }
  return fmt::format(
      "  rate         target {}/s NOT reached: {:.1f}/s ({} of {:.0f} scheduled messages); "
      "the server or this load generator could not keep up\n",
      rate_number(d.rate), r.messages_per_second, r.messages, r.scheduled_messages);
}

}  // namespace

std::string rate_number(double rate) {
  // Whole rates as typed (10000000, not 1e+07); fractions as they are.
  if (rate == std::floor(rate) && rate < 1e15) return fmt::format("{:.0f}", rate);
  return fmt::format("{}", rate);
}

std::string interval_line(const clients::IntervalReport& i) {
  return fmt::format(
      "[{:6.2f}-{:6.2f} s]  {:>10.0f} msgs/s  {:>9.2f} MB/s  p50 {:>10}  p99 {:>10}\n", i.start,
      i.end, i.messages_per_second, i.megabytes_per_second, d(i.latency.p50_ns),
      d(i.latency.p99_ns));
}

std::string bench_text(const BenchDescription& b, const clients::LoadReport& r) {
  std::string out = fmt::format(
      "soket bench {}: {} {}, {}, {} connections ({} connected), {} B messages, pipeline {}, "
      "{:.2f} s measured, {} threads\n",
      b.workload, b.transport, b.target, b.mode, b.connections, r.connected, b.message_size,
      b.pipeline, r.seconds, b.threads);
  if (b.rate > 0) out += rate_text(b, r);
  out += fmt::format("  messages/s   {:.0f}\n  MB/s         {:.2f}\n", r.messages_per_second,
                     r.megabytes_per_second);
  if (b.workload == "chat") {
    out += fmt::format("  deliveries/s {:.0f} (message lines received by all members)\n",
                       r.deliveries_per_second);
    if (r.delivery_latency && r.delivery_latency->count > 0) {
      const auto& dl = *r.delivery_latency;
      out += fmt::format(
          "  delivery     p50 {}, p99 {}, max {} (from a member's send to each other member)\n",
          d(dl.p50_ns), d(dl.p99_ns), d(dl.max_ns));
    }
  }
  const auto& l = r.latency;
  if (l.count > 0) {
    out += fmt::format("  latency      min {}, mean {}, stddev {}, max {}\n", d(l.min_ns),
                       duration_text(l.mean_ns), duration_text(l.stddev_ns), d(l.max_ns));
    out += fmt::format("               p50 {}, p90 {}, p99 {}, p99.9 {}, p99.99 {}\n", d(l.p50_ns),
                       d(l.p90_ns), d(l.p99_ns), d(l.p999_ns), d(l.p9999_ns));
    if (b.rate > 0) out += "               (from when each message was due, as wrk2 measures)\n";
  }
  if (r.uncorrected && r.uncorrected->count > 0) {
    const auto& u = *r.uncorrected;
    out += fmt::format(
        "  uncorrected  p50 {}, p99 {}, max {} (from when each message actually went out)\n",
        d(u.p50_ns), d(u.p99_ns), d(u.max_ns));
  }
  out += fmt::format("  fairness     {:.1f} % (the slowest connection's share of the mean)\n",
                     r.fairness * 100);
  out += fmt::format("  errors       {}\n  integrity    {} failures\n", errors_text(r),
                     r.integrity_failures);
  if (r.server_cpu_ns_per_message) {
    out +=
        fmt::format("  server CPU   {:.3f} us per message\n", *r.server_cpu_ns_per_message / 1e3);
  }
  if (r.server_rss_bytes) out += fmt::format("  server RSS   {} bytes\n", *r.server_rss_bytes);
  if (r.server_rss_bytes_per_connection) {
    out += fmt::format("  RSS/conn     {:.0f} bytes (growth since before connecting)\n",
                       *r.server_rss_bytes_per_connection);
  }
  return out;
}

std::string bench_json(const BenchDescription& b, const clients::LoadReport& r) {
  ordered_json j;
  j["workload"] = b.workload;
  j["transport"] = b.transport;
  j["mode"] = b.mode;
  j["connections"] = b.connections;
  j["connected"] = r.connected;
  j["message_size"] = b.message_size;
  j["pipeline"] = b.pipeline;
  j["threads"] = b.threads;
  j["seconds"] = r.seconds;
  j["messages"] = r.messages;
  j["bytes"] = r.bytes;
  j["messages_per_second"] = r.messages_per_second;
  j["mb_per_second"] = r.megabytes_per_second;
  j["latency_us"] = latency_json(r.latency);
  j["latency_uncorrected_us"] =
      r.uncorrected ? latency_json(*r.uncorrected) : ordered_json(nullptr);
  j["rate"] = b.rate > 0 ? ordered_json{{"target", b.rate},
                                        {"scheduled_messages", r.scheduled_messages},
                                        {"reached", r.rate_reached}}
                         : ordered_json(nullptr);
  j["fairness"] = r.fairness;
  j["errors"] = r.errors;
  j["errors_by_cause"] = {{"not_connected", r.connect_failures},
                          {"closed_by_server", r.closed_by_peer},
                          {"read_write", r.io_errors},
                          {"datagrams_lost", r.lost_datagrams}};
  j["first_error"] = r.first_error ? ordered_json(r.first_error.message()) : nullptr;
  j["integrity_failures"] = r.integrity_failures;
  j["server_cpu_us_per_message"] =
      r.server_cpu_ns_per_message ? ordered_json(*r.server_cpu_ns_per_message / 1e3) : nullptr;
  j["server_rss_bytes"] = or_null(r.server_rss_bytes);
  j["server_rss_bytes_per_connection"] = or_null(r.server_rss_bytes_per_connection);
  j["deliveries"] = r.deliveries;
  j["deliveries_per_second"] = r.deliveries_per_second;
  j["delivery_latency_us"] =
      r.delivery_latency ? latency_json(*r.delivery_latency) : ordered_json(nullptr);
  ordered_json intervals = ordered_json::array();
  for (const auto& i : r.intervals) {
    intervals.push_back({{"start", i.start},
                         {"end", i.end},
                         {"messages", i.messages},
                         {"bytes", i.bytes},
                         {"messages_per_second", i.messages_per_second},
                         {"mb_per_second", i.megabytes_per_second},
                         {"latency_us", latency_json(i.latency)}});
  }
  j["intervals"] = std::move(intervals);
  return j.dump() + "\n";
}

std::optional<std::string> bench_failure(const clients::LoadReport& r, const std::string& target,
                                         int connections) {
  std::vector<std::string> parts;
  const std::string cause = r.first_error ? " (" + r.first_error.message() + ")" : "";
  // A server at its --max-conns accepts and closes at once: an end of stream, or a reset
  // when our first message was already there, seen on connecting or on the first read.
  const bool reset = r.first_error == std::errc::connection_reset;
  constexpr const char* kResetHint = ": the server reset them (is it at its --max-conns?)";
  if (r.connect_failures) {
    parts.push_back(fmt::format("{} of {} connections could not be made{}{}", r.connect_failures,
                                connections, cause, reset && r.io_errors == 0 ? kResetHint : ""));
  }
  if (r.closed_by_peer) {
    parts.push_back(fmt::format(
        "{} connections were closed by the server while in use (is it at its --max-conns?)",
        r.closed_by_peer));
  }
  if (r.io_errors) {
    parts.push_back(fmt::format("{} reads or writes failed{}{}", r.io_errors,
                                r.connect_failures ? "" : cause, reset ? kResetHint : ""));
  }
  if (r.lost_datagrams) {
    parts.push_back(fmt::format("{} datagrams got no reply within 1 s", r.lost_datagrams));
  }
  if (r.integrity_failures) {
    parts.push_back(fmt::format("{} replies differed from what was sent", r.integrity_failures));
  }
  if (parts.empty()) return std::nullopt;
  std::string line = "bench against " + target + " failed: ";
  for (std::size_t i = 0; i < parts.size(); ++i) line += (i == 0 ? "" : "; ") + parts[i];
  return line;
}

}  // namespace soket::cli
