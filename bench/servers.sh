# shellcheck shell=bash
# The servers and workloads of the echo comparisons, shared by compare-echo.sh and
# kernel-share.sh; sourced, not run. Expects $soket, $peers and $SERVICE to be set.

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
    uring-udp-probe) echo "$peers/uring_udp_echo $port" ;;  # UDP only: bench/probes/.
    asio) echo "$peers/asio_echo $port $udp_arg" ;;
    libuv) echo "$peers/libuv_echo $port $udp_arg" ;;
    node) echo "node bench/peers/node_echo.js $port $udp_arg" ;;
    uvloop) echo "/usr/bin/python3 bench/peers/uvloop_echo.py $port $udp_arg" ;;
    socat)
      if [ "$proto" = udp ]; then echo "socat UDP-RECVFROM:$port,bind=127.0.0.1,fork PIPE"
      else echo "socat TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork,backlog=4096 PIPE"; fi ;;
    soket | soket-uring | soket-epoll)
      local flag=""
      [ "$proto" = udp ] && flag="--udp"
      [ "$name" = soket-uring ] && flag="$flag --backend io_uring"
      [ "$name" = soket-epoll ] && flag="$flag --backend epoll"
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
