#!/usr/bin/env bash
# The chat room on each engine, side by side in one run: `soket bench chat` (N TCP members in
# one room, each waiting for its own 64-byte message to come back before sending the next,
# every message fanned out to all) against `soket chat server --backend io_uring` and
# `--backend epoll`, interleaved RUNS times. The server is pinned to CPU 0 and the load to
# CPU 1, as in compare-echo.sh. Prints one line per run; the raw JSON goes to bench/results/.
#   bench/chat-engines.sh            (MEMBERS=50 RUNS=3 DURATION=4)
set -euo pipefail
cd "$(dirname "$0")/.."
soket=${SOKET:-build/src/cli/soket}
members=${MEMBERS:-50}
runs=${RUNS:-3}
duration=${DURATION:-4}
out=bench/results
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "sesame" > "$work/password"
export SOKET_CHAT_PASSWORD=sesame

run_one() {  # ENGINE RUN
  local engine=$1 run=$2 pid port
  taskset -c 0 "$soket" chat server -p 0 -q --password-file "$work/password" --rate-limit 0 \
    --backend "$engine" --threads 1 > "$work/out" 2> "$work/err" &
  pid=$!
  for _ in $(seq 100); do grep -q "(tcp)" "$work/out" && break; sleep 0.1; done
  port=$(grep -o ":[0-9]* (tcp)" "$work/out" | tr -dc 0-9)
  taskset -c 1 "$soket" bench chat -p "$port" -c "$members" -d "$duration" --warmup 1 \
    --server-pid "$pid" --json > "$work/result.json"
  kill "$pid"
  wait "$pid" 2> /dev/null || true
  head -n 1 "$work/err" | grep -q "with $engine" || { echo "the server did not run $engine" >&2; exit 1; }
  jq -c --arg engine "$engine" --argjson run "$run" '{engine: $engine, run: $run} + .' \
    "$work/result.json" >> "$out/chat-engines.jsonl"
  jq -r --arg engine "$engine" \
    '"\($engine)\tmsgs/s \(.messages_per_second | floor)\tdeliveries/s \(.deliveries_per_second | floor)\tCPU us/msg \(.server_cpu_us_per_message)\tp50 \(.latency_us.p50) us\tp99 \(.latency_us.p99) us\tfairness \(.fairness)"' \
    "$work/result.json"
}

for run in $(seq "$runs"); do
  for engine in io_uring epoll; do run_one "$engine" "$run"; done
done
