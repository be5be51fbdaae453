"""Turns the JSON lines of bench/compare-echo.sh into markdown tables: the median run of
each server on each workload, then soket's ratios to the best peer; and, given a path
prefix, two charts: each server's throughput over the best peer's, and its CPU per message
over the cheapest peer's, per workload (PREFIX-throughput.svg, PREFIX-cpu.svg)."""
import json
import sys
from collections import defaultdict

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from chart import draw_bars  # noqa: E402


def median_run(runs, key):
    ordered = sorted(runs, key=key)
    return ordered[len(ordered) // 2]


def cell(value, digits=1):
    return "-" if value is None else f"{value:,.{digits}f}"


def main(path, chart_prefix=None):
    medians = {}
    by_case = defaultdict(lambda: defaultdict(list))
    for line in open(path):
        row = json.loads(line)
        by_case[row["case"]][row["server"]].append(row["result"])
    for case, servers in by_case.items():
        idle = case.startswith("idle")
        print(f"\n### {case}\n")
        if idle:
            print("| server | connected | RSS per connection (B) | RSS (MiB) |")
            print("|---|---:|---:|---:|")
        else:
            print("| server | msgs/s | MB/s | p50 µs | p99 µs | p99.9 µs | server CPU µs/msg | fairness | errors | integrity |")
            print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        best = {}
        for server, runs in servers.items():
            if idle:
                r = median_run(runs, lambda r: r["server_rss_bytes_per_connection"] or 0)
                print(f"| {server} | {r['connected']} | {cell(r['server_rss_bytes_per_connection'], 0)} | "
                      f"{cell((r['server_rss_bytes'] or 0) / 2**20)} |")
            else:
                r = median_run(runs, lambda r: r["messages_per_second"])
                lat = r["latency_us"]
                print(f"| {server} | {cell(r['messages_per_second'], 0)} | {cell(r['mb_per_second'])} | "
                      f"{cell(lat['p50'])} | {cell(lat['p99'])} | {cell(lat['p999'])} | "
                      f"{cell(r['server_cpu_us_per_message'], 2)} | {r['fairness'] * 100:.1f} % | "
                      f"{r['errors']} | {r['integrity_failures']} |")
            best[server] = r
            medians[(case, server)] = r
        peers = {k: v for k, v in best.items() if is_peer(k)}
        for variant in sorted(k for k in best if k.startswith("soket")):
            if peers:
                print(compare(variant, best[variant], peers, case))
    if chart_prefix:
        draw_charts(chart_prefix, by_case, medians)


def is_peer(server):
    """Peers are the other programs; soket's variants and the probes (bench/probes/, floors
    for a design, not rivals) are measured beside them but never set the bar."""
    return not server.startswith("soket") and not server.endswith("-probe")


def draw_charts(prefix, by_case, medians):
    """Ratios to the peers of the same run, so that workloads of very different rates share
    one axis: 1.0 is the best (or cheapest) peer."""
    cases = [c for c in by_case if not c.startswith("idle")]
    if not cases:  # Memory alone has no ratio chart (its table says it all).
        print("\ncharts: none (only idle workloads ran)")
        return
    short = lambda case: case.removeprefix("tcp-")  # So that labels fit under their groups.
    servers = sorted({s for c in cases for s in by_case[c]}, key=lambda s: (not s.startswith("soket"), s))

    def peer_values(case, key):
        return [medians[(case, s)][key] for s in by_case[case] if is_peer(s)
                and medians[(case, s)].get(key)]

    def throughput(case, server):
        peers = peer_values(case, "messages_per_second")
        if (case, server) not in medians or not peers:
            return None
        return medians[(case, server)]["messages_per_second"] / max(peers)

    def cpu(case, server):
        peers = peer_values(case, "server_cpu_us_per_message")
        mine = medians.get((case, server), {}).get("server_cpu_us_per_message")
        return mine / min(peers) if mine and peers else None

    draw_bars(f"{prefix}-throughput.svg", "Echo: throughput over the best peer's (higher is better)",
              "x the best peer", cases, servers, throughput, reference_line=1.0, label=short)
    draw_bars(f"{prefix}-cpu.svg",
              "Echo: server CPU per message over the cheapest peer's (lower is better; cut at 3 x)",
              "x the cheapest peer", cases, servers, cpu, reference_line=1.0, ymax=3, label=short)
    print(f"\ncharts: {prefix}-throughput.svg, {prefix}-cpu.svg")


def compare(variant, soket, peers, case):
    """One line: a soket variant (soket, soket-uring) beside the best of the peers."""
    if case.startswith("idle"):
        name, peer = min(peers.items(), key=lambda kv: kv[1]["server_rss_bytes_per_connection"] or 1e18)
        return (f"\n{variant}: {cell(soket['server_rss_bytes_per_connection'], 0)} B per idle connection; "
                f"best peer {name}: {cell(peer['server_rss_bytes_per_connection'], 0)} B.")
    name, peer = max(peers.items(), key=lambda kv: kv[1]["messages_per_second"])
    ratio = soket["messages_per_second"] / peer["messages_per_second"]
    line = f"\n{variant}: {ratio:.2f} x the throughput of the fastest peer ({name})"
    cpus = {k: v["server_cpu_us_per_message"] for k, v in peers.items() if v["server_cpu_us_per_message"]}
    if cpus and soket["server_cpu_us_per_message"]:
        cheapest = min(cpus, key=cpus.get)
        line += (f"; {soket['server_cpu_us_per_message'] / cpus[cheapest]:.2f} x the CPU per message "
                 f"of the cheapest peer ({cheapest})")
    if "c-floor" in peers and case.startswith("tcp-stream"):
        line += f"; {soket['mb_per_second'] / peers['c-floor']['mb_per_second']:.2f} x the C floor's MB/s"
    return line + "."

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
