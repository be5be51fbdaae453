#!/usr/bin/env bash
# Installs the dependencies, builds soket (Release) and runs the guided tour.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build -DCMAKE_BUILD_TYPE=Release -DSOKET_TESTS=OFF
exec build/src/cli/soket demo
