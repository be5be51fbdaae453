#!/usr/bin/env bash
# 10,000 names from one file against a local Knot DNS: soket dns -f against dig -f, on the
# same file in the same run, alternately (RUNS times each, default 3). Prints the median
# times and their ratio. Traffic stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
RUNS=${RUNS:-3}
NAMES=${NAMES:-10000}
scripts/install-deps.sh
scripts/build.sh build -DCMAKE_BUILD_TYPE=Release
soket=build/src/cli/soket
make_scratch

{
  printf '$ORIGIN bench.test.\n$TTL 300\n@ IN SOA ns1 hostmaster 1 3600 600 86400 300\n'
  printf '@ IN NS ns1\nns1 IN A 127.0.0.1\n'
  for i in $(seq 0 $((NAMES - 1))); do printf 'n%d IN A 10.%d.%d.%d\n' "$i" $((i / 65536)) $((i / 256 % 256)) $((i % 256)); done
} > "$work/bench.zone"
for i in $(seq 0 $((NAMES - 1))); do echo "n$i.bench.test A"; done > "$work/names"
port=$(free_port)
cat > "$work/knot.conf" << CONF
server:
  rundir: "$work"
  listen: 127.0.0.1@$port
  udp-workers: 1
  tcp-workers: 1
log:
  - target: stderr
    any: warning
database:
  storage: "$work"
template:
  - id: default
    storage: "$work"
zone:
  - domain: bench.test
    file: bench.zone
CONF
knotd -c "$work/knot.conf" 2> "$work/knot.log" &
peer_pid=$!
for _ in $(seq 100); do  # Bounded wait until the zone answers.
  [ "$("$soket" dns n0.bench.test @127.0.0.1 -p "$port" --short --timeout 0.2 --tries 1 2> /dev/null)" = 10.0.0.0 ] && break
  sleep 0.1
done

soket_times=() dig_times=()
for _ in $(seq "$RUNS"); do
  soket_times+=("$(TIME_OF_OUTPUT="$work/out" time_of "$soket" dns -f "$work/names" @127.0.0.1 -p "$port" --short --concurrency 64)")
  answered=$(grep -c '^10\.' "$work/out" || true)
  dig_times+=("$(time_of dig -f "$work/names" @127.0.0.1 -p "$port" +short +time=2 +tries=1)")
done
s=$(median "${soket_times[@]}")
d=$(median "${dig_times[@]}")
echo "names: $NAMES (soket answered $answered)"
echo "soket dns -f: ${s} ms (median of $RUNS)"
echo "dig -f:       ${d} ms (median of $RUNS)"
awk -v s="$s" -v d="$d" 'BEGIN { printf "dig / soket: %.1f x\n", d / s }'
