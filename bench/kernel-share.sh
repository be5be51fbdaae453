#!/usr/bin/env bash
# Where an echo server's CPU goes, per message: inside the kernel's socket send and receive
# (tcp_sendmsg/tcp_recvmsg or udp_sendmsg/udp_recvmsg, with all they call; over loopback the
# send includes the peer's receive path and its wake-up), going to sleep and waking up when
# there is nothing to do (schedule), and everything else (syscall entry, epoll or io_uring,
# user space). Every echo server must send and
# receive each ping-pong message once, so the first part is a floor no design goes below;
# only the rest is a server's to save. Sampled with perf (cpu-clock) while `soket bench`
# loads the server exactly as compare-echo.sh does.
#
#   bench/kernel-share.sh
#   SERVERS="asio soket-uring" WORKLOADS="tcp-pingpong-50" bench/kernel-share.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
# shellcheck source=bench/servers.sh
source bench/servers.sh
DURATION=${DURATION:-5}
SERVICE="echo"
SERVERS=${SERVERS:-"c-floor asio soket soket-uring"}
WORKLOADS=${WORKLOADS:-"tcp-pingpong-1 tcp-pingpong-50 tcp-pingpong-1000 tcp-pipeline-16 udp-pingpong-50"}

bench/install-deps.sh linux-perf
scripts/build.sh build -DCMAKE_BUILD_TYPE=Release -DSOKET_BENCH=ON
soket=build/src/cli/soket
peers=build/bench
ulimit -n "$(ulimit -Hn)"
samples=$(mktemp -d)
trap 'rm -rf "$samples"' EXIT

echo "| workload | server | CPU µs/msg | in send + receive | send + receive µs/msg | sleep + wake µs/msg | the rest µs/msg |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
for workload in $WORKLOADS; do
  args=$(workload_args "$workload")
  proto=tcp
  [[ $args == *--udp* ]] && proto=udp
  for server in $SERVERS; do
    start_server "$server" "$proto" || continue
    # shellcheck disable=SC2086
    taskset -c 1 "$soket" bench echo -p "$port" $args -d "$DURATION" --warmup 1 \
      --server-pid "$pid" --json > "$samples/bench.json" &
    load=$!
    # Samples the middle of the run: the load's warm-up second, then most of the rest.
    perf record -q -e cpu-clock -g -p "$pid" -o "$samples/perf.data" -- \
      sleep "$((DURATION - 1))" > /dev/null 2>&1 || true
    wait "$load" || true
    stop_server
    perf report -i "$samples/perf.data" --children --sort sym --stdio -g none 2> /dev/null |
      /usr/bin/python3 bench/kernel_share.py "$workload" "$server" "$proto" "$samples/bench.json"
  done
done
