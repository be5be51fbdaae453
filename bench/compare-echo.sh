#!/usr/bin/env bash
# soket beside the best-known echo servers, under the same `soket bench` load, in one run.
#
#   bench/compare-echo.sh                 every server, every workload
#   SERVERS="soket c-floor" WORKLOADS="tcp-pingpong-50" bench/compare-echo.sh
#   SERVICE=transform bench/compare-echo.sh   soket transform against the peers' line echo
#
# Servers: c-floor asio libuv node uvloop socat soket, and soket-uring (soket's echo with
# --backend io_uring; not in the default list). With SERVICE=transform the soket rows run
# `soket transform server` under `soket bench transform` (63 letters and a newline: 64 bytes
# on the wire, each reply checked as transformed) and the peers their echo under `soket bench
# echo` of the same 64 bytes: the transform's cost beside a plain echo of the same lines.
#
# Each server runs pinned to CPU 0 and the load to CPU 1 (taskset); each workload is run
# RUNS times (default 3) for DURATION seconds (default 5) after a warm-up, and the median
# run is kept. Traffic stays on 127.0.0.1. Output: a markdown table per workload, then
# (Debian's /usr/bin/python3 is named, since a python3 earlier on PATH may lack uvloop.)
# soket's ratios to the best peer; the raw JSON lines are kept in bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
RUNS=${RUNS:-3}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-1}
SERVICE=${SERVICE:-echo}
SERVERS=${SERVERS:-"c-floor asio libuv node uvloop socat soket"}
if [ "$SERVICE" = transform ]; then
  # `soket bench transform` loads lines over TCP: ping-pong and pipelines, no stream or UDP.
  WORKLOADS=${WORKLOADS:-"tcp-pingpong-1 tcp-pingpong-50 tcp-pingpong-1000 tcp-pipeline-16"}
else
  WORKLOADS=${WORKLOADS:-"tcp-pingpong-1 tcp-pingpong-50 tcp-pingpong-1000 tcp-pipeline-16 tcp-stream-64k udp-pingpong-50 idle-10000"}
fi

bench/install-deps.sh
scripts/build.sh build -DCMAKE_BUILD_TYPE=Release -DSOKET_BENCH=ON
soket=build/src/cli/soket
peers=build/bench
mkdir -p bench/results
results=bench/results/$(date +%Y%m%d-%H%M%S)-${SERVICE}.jsonl
: > "$results"
ulimit -n "$(ulimit -Hn)"

workload_args() {
  case $1 in
    tcp-pingpong-1) echo "-c 1 -s 64" ;;
    tcp-pingpong-50) echo "-c 50 -s 64" ;;
    tcp-pingpong-1000) echo "-c 1000 -s 64" ;;
    tcp-pipeline-16) echo "-c 50 -s 64 --pipeline 16" ;;
    tcp-stream-64k) echo "-c 4 -s 65536 --mode stream" ;;
    udp-pingpong-50) echo "--udp -c 50 -s 64" ;;
    idle-10000) echo "-c 10000 --mode idle" ;;
  esac
}

server_command() {  # NAME PORT udp|tcp
  local name=$1 port=$2 proto=$3 udp_arg=""
  [ "$proto" = udp ] && udp_arg=udp
  case $name in
    c-floor) echo "$peers/c_epoll_echo $port $udp_arg" ;;
    asio) echo "$peers/asio_echo $port $udp_arg" ;;
    libuv) echo "$peers/libuv_echo $port $udp_arg" ;;
    node) echo "node bench/peers/node_echo.js $port $udp_arg" ;;
    uvloop) echo "/usr/bin/python3 bench/peers/uvloop_echo.py $port $udp_arg" ;;
    socat)
      if [ "$proto" = udp ]; then echo "socat UDP-RECVFROM:$port,bind=127.0.0.1,fork PIPE"
      else echo "socat TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork,backlog=4096 PIPE"; fi ;;
    soket | soket-uring)
      local flag=""
      [ "$proto" = udp ] && flag="--udp"
      [ "$name" = soket-uring ] && flag="$flag --backend io_uring"
      echo "$soket $SERVICE server -p $port -q --threads 1 $flag" ;;
  esac
}

# The load for one server: soket's own service gets its own bench, the peers echo.
bench_command() {  # SERVER WORKLOAD-ARGS
  if [ "$SERVICE" = transform ] && [[ $1 == soket* ]]; then
    echo "bench transform ${2/-s 64/-s 63}"
  else
    echo "bench echo $2"
  fi
}

wait_listening() {  # PORT PROTO: bounded wait for the socket to appear
  local flag=-ltn
  [ "$2" = udp ] && flag=-lun
  for _ in $(seq 100); do
    ss -H $flag "sport = :$1" | grep -q . && return 0
    sleep 0.1
  done
  return 1
}

pid=""
start_server() {  # NAME PROTO: sets port and pid; false if it never listened
  port=$(free_port)
  # shellcheck disable=SC2046
  taskset -c 0 $(server_command "$1" "$port" "$2") > /dev/null 2>&1 &
  pid=$!
  if ! wait_listening "$port" "$2"; then
    echo "compare-echo: $1 did not listen on $port; skipped" >&2
    stop_server
    return 1
  fi
}
stop_server() {
  kill "$pid" 2> /dev/null || true
  wait "$pid" 2> /dev/null || true
}

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
/usr/bin/python3 bench/summarise.py "$results"
