#!/usr/bin/env bash
# A 1 GiB file from a local nginx, fetched by soket and by curl alternately, RUNS times each
# (default 5), written to /dev/null. Prints the median times and their ratio. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
RUNS=${RUNS:-5}
SIZE_MIB=${SIZE_MIB:-1024}
scripts/install-deps.sh
scripts/build.sh build -DCMAKE_BUILD_TYPE=Release
soket=build/src/cli/soket
make_scratch
mkdir -p "$work/www" "$work/tmp"
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom > "$work/www/big.bin"
port=$(free_port)
cat > "$work/nginx.conf" << CONF
daemon off;
master_process off;
worker_processes 1;
error_log $work/error.log warn;
pid $work/nginx.pid;
events { worker_connections 64; }
http {
  access_log off;
  sendfile on;
  client_body_temp_path $work/tmp;
  proxy_temp_path $work/tmp;
  fastcgi_temp_path $work/tmp;
  uwsgi_temp_path $work/tmp;
  scgi_temp_path $work/tmp;
  server { listen 127.0.0.1:$port; root $work/www; }
}
CONF
nginx -p "$work" -c "$work/nginx.conf" &
peer_pid=$!
for _ in $(seq 100); do  # Bounded wait for the port.
  curl -s -o /dev/null "http://127.0.0.1:$port/" && break
  sleep 0.1
done
url="http://127.0.0.1:$port/big.bin"
soket_times=() curl_times=()
for _ in $(seq "$RUNS"); do
  soket_times+=("$(time_of "$soket" http "$url")")
  curl_times+=("$(time_of curl -s "$url")")
done
s=$(median "${soket_times[@]}")
c=$(median "${curl_times[@]}")
echo "file: $SIZE_MIB MiB from nginx on 127.0.0.1"
echo "soket http: ${s} ms (median of $RUNS; $((SIZE_MIB * 1000 / (s > 0 ? s : 1))) MiB/s)"
echo "curl:       ${c} ms (median of $RUNS; $((SIZE_MIB * 1000 / (c > 0 ? c : 1))) MiB/s)"
awk -v s="$s" -v c="$c" 'BEGIN { printf "curl / soket: %.2f x\n", c / s }'
