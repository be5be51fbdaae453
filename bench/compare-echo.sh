#!/usr/bin/env bash
# soket beside the best-known echo servers, under the same `soket bench` load, in one run.
#
#   bench/compare-echo.sh                 every server, every workload
#   SERVERS="soket c-floor" WORKLOADS="tcp-pingpong-50" bench/compare-echo.sh
#   SERVICE=transform bench/compare-echo.sh   soket transform against the peers' line echo
#
# Servers: c-floor asio libuv node uvloop socat soket (the default engine, auto) and
# soket-epoll (--backend epoll), and soket-uring (--backend io_uring; not in the default list:
# it is what auto gives where the kernel allows io_uring). With SERVICE=transform the soket rows run
# `soket transform server` under `soket bench transform` (63 letters and a newline: 64 bytes
# on the wire, each reply checked as transformed) and the peers their echo under `soket bench
# echo` of the same 64 bytes: the transform's cost beside a plain echo of the same lines.
#
# Each server runs pinned to CPU 0 and the load to CPU 1 (taskset); each workload is run
# RUNS times (default 3) for DURATION seconds (default 5) after a warm-up, and the median
# run is kept. Traffic stays on 127.0.0.1. Output: a markdown table per workload, then
# (Debian's /usr/bin/python3 is named, since a python3 earlier on PATH may lack uvloop.)
# soket's ratios to the best peer, and two charts of those ratios (bench/echo-throughput.svg,
# bench/echo-cpu.svg; bench/transform-* with SERVICE=transform); the raw JSON lines are kept
# in bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
# shellcheck source=bench/servers.sh
source bench/servers.sh
RUNS=${RUNS:-3}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-1}
SERVICE=${SERVICE:-echo}
SERVERS=${SERVERS:-"c-floor asio libuv node uvloop socat soket soket-epoll"}
if [ "$SERVICE" = transform ]; then
  # `soket bench transform` loads lines over TCP: ping-pong and pipelines, no stream or UDP.
  WORKLOADS=${WORKLOADS:-"tcp-pingpong-1 tcp-pingpong-50 tcp-pingpong-1000 tcp-pipeline-16"}
else
  WORKLOADS=${WORKLOADS:-"tcp-pingpong-1 tcp-pingpong-50 tcp-pingpong-1000 tcp-pipeline-16 tcp-stream-64k udp-pingpong-50 idle-10000"}
fi

bench/install-deps.sh
if [ -z "${SKIP_BUILD:-}" ]; then scripts/build.sh build -DCMAKE_BUILD_TYPE=Release -DSOKET_BENCH=ON; fi
soket=build/src/cli/soket
peers=build/bench
mkdir -p bench/results
results=bench/results/$(date +%Y%m%d-%H%M%S)-${SERVICE}.jsonl
: > "$results"
ulimit -n "$(ulimit -Hn)"

# Runs are interleaved (run 1 of every server, then run 2 ...), and every run has a fresh
# server: the machine's speed drifts over minutes, and back-to-back runs of one server would
# give it whatever the machine had then. A fresh server also shows the memory it grows
# (allocators rarely give memory back, which would hide the growth of an idle run).
for workload in $WORKLOADS; do
  args=$(workload_args "$workload")
  proto=tcp
  [[ $args == *--udp* ]] && proto=udp
  for run in $(seq "$RUNS"); do
    for server in $SERVERS; do
      # socat forks a process per connection: 10,000 of them would not fit this machine.
      [ "$server" = socat ] && [ "$workload" = idle-10000 ] && continue
      start_server "$server" "$proto" || continue
      # shellcheck disable=SC2046
      line=$(taskset -c 1 "$soket" $(bench_command "$server" "$args") -p "$port" -d "$DURATION" \
        --warmup "$WARMUP" --server-pid "$pid" --json || true)
      [ -n "$line" ] && echo "{\"server\":\"$server\",\"case\":\"$workload\",\"run\":$run,\"result\":$line}" >> "$results"
      stop_server
    done
  done
done
chart=bench/echo
[ "$SERVICE" = transform ] && chart=bench/transform
/usr/bin/python3 bench/summarise.py "$results" "$chart"
