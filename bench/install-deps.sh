#!/usr/bin/env bash
# The benchmark's own dependencies (Debian packages): the peers' libraries and runtimes, on
# top of the project's. Node.js comes from Debian unless a node is already on PATH.
set -euo pipefail
extra=(libasio-dev libuv1-dev python3-uvloop jq gnuplot-nox)   # gnuplot: the charts
command -v node > /dev/null || extra+=(nodejs)
exec "$(dirname "$0")/../scripts/install-deps.sh" "${extra[@]}"
