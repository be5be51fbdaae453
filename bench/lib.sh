# shellcheck shell=bash
# Helpers the benchmark scripts share; sourced, not run.

# A TCP port free on 127.0.0.1 at this moment (Debian's python3: one on PATH may differ).
free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Milliseconds a command takes; its output goes to $TIME_OF_OUTPUT (default /dev/null).
time_of() {
  local start end
  start=$(date +%s%N)
  "$@" > "${TIME_OF_OUTPUT:-/dev/null}" 2>&1 || true
  end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}

# The median of the numbers given.
median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }

# A scratch folder in $work and one peer process ($peer_pid, set by the caller once it has
# started it), both gone when the script exits however it exits.
make_scratch() {
  work=$(mktemp -d)
  peer_pid=""
  trap 'if [ -n "$peer_pid" ]; then kill "$peer_pid" 2> /dev/null; wait "$peer_pid" 2> /dev/null; fi; rm -rf "$work"' EXIT
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
