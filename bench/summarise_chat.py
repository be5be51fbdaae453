"""Turns the JSON lines of bench/compare-chat.sh into a markdown table (the median run of
each server for each room size) and a chart of deliveries per second."""
import json
import sys
from collections import defaultdict

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from chart import draw_bars  # noqa: E402

# `soket chat server` before the one engine (bench/RESULTS.md, "The chat room's fan-out"):
# the figure the "2 x today's" is measured against.
BEFORE = {"50 members": 391_559, "1000 members": 596_866}


def cell(value, digits=0):
    return "-" if value is None else f"{value:,.{digits}f}"


def main(path, svg):
    by_case = defaultdict(lambda: defaultdict(list))
    for line in open(path):
        row = json.loads(line)
        by_case[row["case"]][row["server"]].append(row["result"])
    best = {}
    for case, servers in by_case.items():
        print(f"\n### {case}\n")
        print("| server | deliveries/s | messages/s | server CPU µs/msg | p50 ms | p99 ms | delivery p99 ms | fairness | errors | integrity |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for server, runs in servers.items():
            r = sorted(runs, key=lambda r: r["deliveries_per_second"])[len(runs) // 2]
            best[(case, server)] = r
            lat, dlat = r["latency_us"], r.get("delivery_latency_us") or {}
            print(f"| {server} | {cell(r['deliveries_per_second'])} | {cell(r['messages_per_second'])} | "
                  f"{cell(r['server_cpu_us_per_message'], 1)} | {lat['p50'] / 1000:.2f} | {lat['p99'] / 1000:.2f} | "
                  f"{(dlat.get('p99') or 0) / 1000:.2f} | {r['fairness'] * 100:.0f} % | {r['errors']} | "
                  f"{r['integrity_failures']} |")
        if case in BEFORE:
            print(f"| soket before the one engine | {cell(BEFORE[case])} | | | | | | | | |")
        for variant in [s for s in servers if s.startswith("soket")]:
            mine = best[(case, variant)]["deliveries_per_second"]
            parts = []
            if "redis" in servers:
                parts.append(f"{mine / best[(case, 'redis')]['deliveries_per_second']:.2f} x Redis's")
            if "ncat" in servers:
                parts.append(f"{mine / best[(case, 'ncat')]['deliveries_per_second']:.2f} x ncat's")
            if case in BEFORE:
                parts.append(f"{mine / BEFORE[case]:.2f} x soket's before the one engine")
            print(f"\n{variant}: deliveries/s " + ", ".join(parts) + ".")
    cases = list(by_case)
    servers = sorted({s for c in by_case.values() for s in c}, key=lambda s: (not s.startswith("soket"), s))
    draw_bars(svg, "Chat room fan-out: deliveries per second (64-byte messages, one core)",
              "million deliveries / s", cases, servers,
              lambda c, s: best[(c, s)]["deliveries_per_second"] / 1e6 if (c, s) in best else None)
    print(f"\nchart: {svg}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
