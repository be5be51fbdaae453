#!/usr/bin/env bash
# Installs everything soket needs to build and test, from Debian 12 packages only, and any
# further packages named as arguments (bench/install-deps.sh names the benchmark's).
# Idempotent: when every package is already there it changes nothing.
set -euo pipefail

packages=(
  # Build
  build-essential cmake ninja-build pkg-config git   # git: test.sh lists the sources to format
  clang libclang-rt-14-dev   # libFuzzer and the sanitizers' runtimes
  clang-format
  # Libraries
  libcli11-dev libfmt-dev libicu-dev libidn2-dev libssl-dev zlib1g-dev liburing-dev
  nlohmann-json3-dev libedit-dev   # JSON output; the chat client's line editor
  libhiredis-dev   # the chat room across servers (--redis)
  # Tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # Real peers the tests start on loopback
  netcat-openbsd socat iproute2 util-linux procps tmux python3 knot bind9-dnsutils
  nginx curl openssl ca-certificates redis-server ncat   # ncat --chat: the bench chat peer
  nodejs chromium fonts-dejavu-core   # Node's `ws` and headless Chromium for the web page
  "$@"
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done

if ((${#missing[@]} > 0)); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: need root to install: ${missing[*]} (run as root or with sudo)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  # nginx and knot are peers the tests start themselves on ephemeral ports; on a machine with
  # systemd, installing them would also start them as services (nginx on port 80). A
  # policy-rc.d that answers 101 ("action forbidden") keeps apt from starting any service
  # for the duration of this install; one that was already there is left alone.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm: Debian's package, unless the Node.js installed brings its own (NodeSource's does, and
# Debian's npm would conflict with it).
if ! command -v npm > /dev/null; then
  [ "$(id -u)" -eq 0 ] || { echo "install-deps: need root to install npm" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm
fi

# The browser tests' packages (ws, playwright-core), exactly as tests/web/package-lock.json
# pins them. playwright-core drives Debian's chromium and downloads no browser.
# npm trusts the CAs it was built with, not the system's: behind a proxy whose CA the system
# trusts (a campus or company network) the registry would fail as "self-signed". Node adds
# the system's bundle when told to.
web="$(dirname "$0")/../tests/web"
if ! npm ls --prefix "$web" --silent > /dev/null 2>&1; then
  system_cas=/etc/ssl/certs/ca-certificates.crt
  if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -r "$system_cas" ]; then
    export NODE_EXTRA_CA_CERTS="$system_cas"
  fi
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$web" --no-audit --no-fund --silent ||
    { echo "install-deps: npm ci of tests/web failed (see the lines above)" >&2; exit 1; }
fi
