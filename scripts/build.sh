#!/usr/bin/env bash
# build.sh DIR [cmake args...]: configure (once) and build soket into DIR with Ninja.
set -euo pipefail
dir=$1
shift
cmake -S "$(dirname "$0")/.." -B "$dir" -G Ninja "$@" > /dev/null
cmake --build "$dir"
