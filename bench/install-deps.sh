#!/usr/bin/env bash
# The benchmark's own dependencies (Debian packages): the peers' libraries and runtimes.
set -euo pipefail
"$(dirname "$0")/../scripts/install-deps.sh"
packages=(libasio-dev libuv1-dev python3 python3-uvloop socat util-linux iproute2)
command -v node > /dev/null || packages+=(nodejs)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if ((${#missing[@]} > 0)); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
