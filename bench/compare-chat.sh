#!/usr/bin/env bash
# The chat room's fan-out beside Redis pub/sub and ncat --chat, under the same `soket bench
# chat` load, in one run.
#
#   bench/compare-chat.sh                        (MEMBERS="50 1000" RUNS=3 DURATION=4)
#   SERVERS="soket redis" MEMBERS=50 bench/compare-chat.sh
#
# Servers: soket (`soket chat server`, the default engine), soket-epoll (--backend epoll),
# redis (redis-server 7 from Debian: each member SUBSCRIBEs to one channel on one connection
# and PUBLISHes each message on its own second one), ncat (`ncat --chat`, which never sends a
# line back to its sender: the first other member's receipt confirms it). Every member sends a
# 64-byte message and waits for it to come back through the room before the next; every
# member's message each member receives counts as a delivery (with N members that is N per
# message, or N - 1 for ncat). Each server is pinned to CPU 0 and the load to CPU 1, runs
# are interleaved (run 1 of every server, then run 2 ...), each with a fresh server, and the
# median run by deliveries/s is kept. Output: a markdown table, and a chart
# (bench/chat-fanout.svg); the raw JSON lines go to bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
RUNS=${RUNS:-3}
DURATION=${DURATION:-4}
WARMUP=${WARMUP:-1}
MEMBERS=${MEMBERS:-"50 1000"}
SERVERS=${SERVERS:-"soket soket-epoll redis ncat"}

if [ -z "${SKIP_BUILD:-}" ]; then
  bench/install-deps.sh
  scripts/build.sh build -DCMAKE_BUILD_TYPE=Release
fi
soket=build/src/cli/soket
mkdir -p bench/results
results=bench/results/$(date +%Y%m%d-%H%M%S)-chat.jsonl
: > "$results"
ulimit -n "$(ulimit -Hn)"
make_scratch
echo "sesame" > "$work/password"
export SOKET_CHAT_PASSWORD=sesame

server_command() {  # NAME PORT: sets the array `command`
  local chat=("$soket" chat server -p "$2" -q --tcp --threads 1 --rate-limit 0 --password-file "$work/password")
  case $1 in
    soket) command=("${chat[@]}") ;;
    soket-epoll) command=("${chat[@]}" --backend epoll) ;;
    redis) command=(redis-server --port "$2" --bind 127.0.0.1 --save "" --appendonly no --maxclients 10000 --protected-mode no --logfile "$work/redis.log") ;;
    ncat) command=(ncat --chat -l 127.0.0.1 "$2" --max-conns 2000) ;;
  esac
}

protocol_of() {
  case $1 in
    redis) echo redis ;;
    ncat) echo ncat ;;
    *) echo soket ;;
  esac
}

start_server() {  # NAME: sets port and peer_pid; false if it never listened
  port=$(free_port)
  server_command "$1" "$port"
  # taskset execs the server: $! is the server's own PID, the one stop_server kills.
  taskset -c 0 "${command[@]}" < /dev/null > "$work/server.out" 2> "$work/server.err" &
  peer_pid=$!
  wait_listening "$port" tcp && return 0
  echo "compare-chat: $1 did not listen on $port; skipped" >&2
  stop_server
  return 1
}
stop_server() {
  kill "$peer_pid" 2> /dev/null || true
  wait "$peer_pid" 2> /dev/null || true
  peer_pid=""
}

for members in $MEMBERS; do
  for run in $(seq "$RUNS"); do
    for server in $SERVERS; do
      start_server "$server" || continue
      line=$(taskset -c 1 "$soket" bench chat --protocol "$(protocol_of "$server")" -p "$port" \
        -c "$members" -d "$DURATION" --warmup "$WARMUP" --server-pid "$peer_pid" --json || true)
      if [[ $server == soket* ]]; then
        want=io_uring
        [ "$server" = soket-epoll ] && want=epoll
        head -n 1 "$work/server.err" | grep -q "with $want" ||
          { echo "compare-chat: $server did not run $want: $(head -n 1 "$work/server.err")" >&2; line=""; }
      fi
      [ -n "$line" ] && echo "{\"server\":\"$server\",\"case\":\"$members members\",\"run\":$run,\"result\":$line}" >> "$results"
      stop_server
    done
  done
done
/usr/bin/python3 bench/summarise_chat.py "$results" bench/chat-fanout.svg
