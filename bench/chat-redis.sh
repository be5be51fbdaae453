#!/usr/bin/env bash
# The chat room across servers, side by side in one run: `soket bench chat` with MEMBERS TCP
# members, 64-byte messages, each member waiting for its own message to come back before it
# sends the next, every message fanned out to every member of the room, against
#   single     one `soket chat server` alone (no Redis): the single-server figure;
#   federated  one server with --redis: what the link to Redis costs by itself;
#   3-servers  three servers on one Redis, the members spread over them (-p P1,P2,P3);
# each saturated, then paced at RATE messages/s in all (latency under a set load). The
# servers and redis-server share CPU 0, the load has CPU 1. CPU is each process's user+system
# time over the whole bench command, from /proc/PID/stat. One line per run; the raw JSON goes
# to bench/results/chat-redis.jsonl.
#   bench/chat-redis.sh            (MEMBERS=48 RUNS=2 DURATION=4 RATE=2000)
set -euo pipefail
cd "$(dirname "$0")/.."
soket=${SOKET:-build/src/cli/soket}
members=${MEMBERS:-48}
runs=${RUNS:-2}
duration=${DURATION:-4}
rate=${RATE:-2000}
out=bench/results
mkdir -p "$out"
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  wait 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
echo "sesame" > "$work/password"
export SOKET_CHAT_PASSWORD=sesame
ticks_per_second=$(getconf CLK_TCK)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_redis() {
  redis_port=$(free_port)
  taskset -c 0 redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no \
    --loglevel warning > "$work/redis.log" 2>&1 &
  redis_pid=$!
  pids+=("$redis_pid")
  for _ in $(seq 100); do redis-cli -p "$redis_port" ping > /dev/null 2>&1 && return; sleep 0.1; done
  echo "redis-server did not start" >&2
  exit 1
}

start_server() {  # NAME [--redis URL ...]: sets server_pid, server_port
  local name=$1
  shift
  taskset -c 0 "$soket" chat server -p 0 -q --password-file "$work/password" --rate-limit 0 \
    "$@" > "$work/$name.out" 2> "$work/$name.err" &
  server_pid=$!
  pids+=("$server_pid")
  for _ in $(seq 100); do grep -q "(tcp)" "$work/$name.out" && break; sleep 0.1; done
  server_port=$(grep -m1 "listening on" "$work/$name.out" | grep -o ":[0-9]* (tcp)" | tr -dc 0-9)
}

measure() {  # SETUP RUN LOAD PORTS PID...: one bench command, the CPU of each PID over it
  local setup=$1 run=$2 load=$3 ports=$4
  shift 4
  local before=() pid i=0 pace=()
  [ "$load" = paced ] && pace=(--rate "$rate")
  for pid in "$@"; do before+=("$(cpu_ticks "$pid")"); done
  local start end
  start=$(date +%s.%N)
  taskset -c 1 "$soket" bench chat -p "$ports" -c "$members" -d "$duration" --warmup 1 \
    "${pace[@]}" --json > "$work/result.json"
  end=$(date +%s.%N)
  local cpu="[]"
  for pid in "$@"; do
    local used
    used=$(( $(cpu_ticks "$pid") - before[i] ))
    cpu=$(jq -c --argjson used "$used" --argjson hz "$ticks_per_second" \
      --argjson wall "$(echo "$end - $start" | bc)" '. + [($used / $hz / $wall * 100 | round)]' <<< "$cpu")
    i=$((i + 1))
  done
  jq -c --arg setup "$setup" --arg load "$load" --argjson run "$run" --argjson cpu "$cpu" \
    '{setup: $setup, load: $load, run: $run, cpu_percent: $cpu} + .' "$work/result.json" \
    >> "$out/chat-redis.jsonl"
  jq -r --arg setup "$setup" --arg load "$load" --argjson cpu "$cpu" \
    '"\($setup)\t\($load)\tdeliveries/s \(.deliveries_per_second | floor)\tdelivery p50 \(.delivery_latency_us.p50) us p99 \(.delivery_latency_us.p99) us\tCPU % (servers, then redis) \($cpu | map(tostring) | join(" "))\terrors \(.errors)"' \
    "$work/result.json"
}

for run in $(seq "$runs"); do
  for load in saturated paced; do
    start_server single
    measure single "$run" "$load" "$server_port" "$server_pid"
    kill "$server_pid"; wait "$server_pid" 2> /dev/null || true

    start_redis
    start_server federated --redis "redis://127.0.0.1:$redis_port"
    measure federated "$run" "$load" "$server_port" "$server_pid" "$redis_pid"
    kill "$server_pid"; wait "$server_pid" 2> /dev/null || true

    ports=() servers=()
    for n in 1 2 3; do
      start_server "s$n" --redis "redis://127.0.0.1:$redis_port" --server-name "s$n"
      ports+=("$server_port") servers+=("$server_pid")
    done
    measure 3-servers "$run" "$load" "$(IFS=,; echo "${ports[*]}")" "${servers[@]}" "$redis_pid"
    for pid in "${servers[@]}" "$redis_pid"; do kill "$pid"; wait "$pid" 2> /dev/null || true; done
  done
done
