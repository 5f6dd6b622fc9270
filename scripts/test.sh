#!/usr/bin/env bash
# The whole test suite, as CI runs it: builds tmdns (warnings are errors) and runs every unit and
# end-to-end test with CTest; builds again with AddressSanitizer and UndefinedBehaviorSanitizer
# (build-asan/) and runs every test there too, the e2e tests against the sanitized tmdns; then
# runs each libFuzzer target for TMDNS_FUZZ_SECONDS (default 60) with scripts/fuzz.sh.
# Measured on 2 cores: about 6 minutes per stage, under 20 minutes in all.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="$(nproc)"
started=$SECONDS

echo "== build/: build and run every test"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DTMDNS_WERROR=ON
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs" --timeout 300
echo "== build/: done after $((SECONDS - started))s"

echo "== build-asan/: every test under AddressSanitizer and UndefinedBehaviorSanitizer"
# Debug: -O0 builds several times faster than -O2 with the sanitizers, and keeps asserts on.
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DTMDNS_WERROR=ON -DTMDNS_SANITIZE=ON
cmake --build build-asan -j"$jobs"
# Reports also go to files: the e2e harness stops tmdns without looking at how it exited, so a
# leak or an error in the server at exit would otherwise go unnoticed.
reports="$PWD/build-asan/sanitizer-reports"
rm -rf "$reports"
mkdir -p "$reports"
status=0
# Not repeated here: the format check, and the Docker runtime package check, which reads the
# binary's shared libraries (a sanitized one needs libasan and libubsan; the image's does not).
ASAN_OPTIONS="detect_leaks=1:log_path=$reports/asan" \
  UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$reports/ubsan" \
  ctest --test-dir build-asan --output-on-failure -j"$jobs" --timeout 600 \
  -E '^(style\.clang_format|DeployDocker\.RuntimePackagesCoverTheBinary)$' || status=$?
if compgen -G "$reports/*" >/dev/null; then
  for report in "$reports"/*; do
    echo "-- $report"
    cat "$report"
  done
  echo "sanitizer reports in $reports" >&2
  status=1
fi
if [ "$status" != 0 ]; then
  exit "$status"
fi
echo "== build-asan/: done after $((SECONDS - started))s"

echo "== build-fuzz/: every fuzz target for ${TMDNS_FUZZ_SECONDS:-60}s"
scripts/fuzz.sh "${TMDNS_FUZZ_SECONDS:-60}"
echo "== all tests passed in $((SECONDS - started))s"
