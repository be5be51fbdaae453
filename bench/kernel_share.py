"""One row of bench/kernel-share.sh: reads `perf report --children` on stdin and the
`soket bench --json` line of the same run, and splits the server's CPU per message into
the kernel's socket send and receive, going to sleep and waking up (schedule: a server with
nothing to do must sleep, or spin and burn more), and the rest."""
import json
import re
import sys

ENTRY_POINTS = {
    "tcp": ("tcp_sendmsg", "tcp_recvmsg"),
    "udp": ("udp_sendmsg", "udp_recvmsg"),
}


def share_in(report, functions):
    """The children-inclusive percentage of samples under the given kernel functions."""
    total = 0.0
    for line in report:
        match = re.match(r"\s*([\d.]+)%\s+[\d.]+%\s+\[k\]\s+(\S+)\s*$", line)
        if match and match.group(2) in functions:
            total += float(match.group(1))
    return total / 100


def main(workload, server, proto, bench_path):
    with open(bench_path) as f:
        bench = json.loads(f.read() or "{}")
    cpu = bench.get("server_cpu_us_per_message")
    if not cpu:
        print(f"| {workload} | {server} | - | - | - | - | - |")
        return
    report = sys.stdin.readlines()
    share = share_in(report, ENTRY_POINTS[proto])
    asleep = share_in(report, ("schedule",))
    rest = 1 - share - asleep
    print(f"| {workload} | {server} | {cpu:.2f} | {share * 100:.1f} % | {cpu * share:.2f} | "
          f"{cpu * asleep:.2f} | {cpu * rest:.2f} |")


if __name__ == "__main__":
    main(*sys.argv[1:5])
