#!/usr/bin/env bash
# Installs the dependencies, then builds and runs the whole test suite:
#   1. the format check (clang-format);
#   2. a Release build and every test, in parallel;
#   3. a Debug build under AddressSanitizer + UndefinedBehaviorSanitizer, every test again;
#   4. each libFuzzer target for a bounded time, from its checked-in corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs=$(($(nproc) * 2))
fuzz_seconds=${SOKET_FUZZ_SECONDS:-30}
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

echo "== format"
# bench/peers/ keeps each library's own idiom and is left out.
mapfile -t sources < <(git ls-files 'src/*.cc' 'src/*.h' 'tests/*.cc' 'tests/*.h')
clang-format --dry-run --Werror "${sources[@]}"

echo "== release build and tests"
scripts/build.sh build -DCMAKE_BUILD_TYPE=Release -DSOKET_TESTS=ON  # ON: demo.sh may have turned it off.
(cd build && ctest -j "$jobs" --output-on-failure --timeout 600) | tee "$logs/release.log"

echo "== sanitizers (ASan + UBSan) build and tests"
scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=Debug -DSOKET_SANITIZE=ON -DSOKET_TESTS=ON
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest -j "$jobs" --output-on-failure --timeout 900) | tee "$logs/asan.log"

if [ -d tests/fuzz/corpus ]; then
  echo "== fuzzing, ${fuzz_seconds} s per target"
  cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSOKET_FUZZ=ON -DSOKET_TESTS=OFF \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ > /dev/null
  cmake --build build-fuzz --target fuzzers  # Only what the fuzzers link.
  for corpus in tests/fuzz/corpus/*/; do
    name=$(basename "$corpus")
    work="$logs/corpus-$name"
    cp -r "$corpus" "$work"
    echo "-- $name"
    dict=()  # A target's dictionary, tests/fuzz/NAME.dict, when it has one.
    if [ -f "tests/fuzz/$name.dict" ]; then dict=(-dict="tests/fuzz/$name.dict"); fi
    build-fuzz/tests/fuzz/"${name}_fuzz" -max_total_time="$fuzz_seconds" -rss_limit_mb=2048 \
      "${dict[@]}" -print_final_stats=1 "$work" 2>&1 | tail -n 3
  done
fi

# One plain closing line for both runs ("N passed, N failed"); a failure exited above.
total=0
for count in $(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' "$logs"/*.log); do
  total=$((total + count))
done
echo "tests: ${total} passed, 0 failed"
