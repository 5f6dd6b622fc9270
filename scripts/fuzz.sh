#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang with ASan and UBSan) in build-fuzz and runs each for
# SECONDS (default 60) on a copy of its seed corpus; fails on any crash, leak, timeout or OOM.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (targets: query tcp config http)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=(query tcp config http)
fi

# Debian's clang and its compiler-rt (libFuzzer and the sanitizer runtimes).
if ! command -v clang++ >/dev/null 2>&1 ||
  ! compgen -G "/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a" >/dev/null; then
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends clang libclang-rt-14-dev
fi

# -O1 with line tables, as fuzzing builds usually are: quick to build, fast enough to run, stack
# traces with lines; NDEBUG stays unset so that every assert is checked too.
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
  -DTMDNS_FUZZ=ON -DTMDNS_TESTS=OFF -DTMDNS_WERROR=ON >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target "${targets[@]/%/_fuzzer}"

# Leaks and undefined behaviour are failures like a crash (the build also makes UBSan fatal).
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"

# Inputs a target may grow to: a DNS message, a TCP stream of several, a configuration, and an
# HTTP request past the parser's limits (8 + maxHeadBytes + maxBody).
declare -A max_len=([query]=4096 [tcp]=8192 [config]=8192 [http]=10000)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
artifacts="build-fuzz/artifacts"
mkdir -p "$artifacts"
failed=()
summary=()
for target in "${targets[@]}"; do
  # A copy: libFuzzer adds what it finds to the corpus directory, the committed seeds stay.
  cp -r "fuzz/corpus/$target" "$work/$target"
  dict=()
  if [ -f "fuzz/$target.dict" ]; then
    dict=("-dict=fuzz/$target.dict")
  fi
  log="$work/$target.log"
  echo "== ${target}_fuzzer: ${seconds}s"
  status=0
  "build-fuzz/fuzz/${target}_fuzzer" "$work/$target" "${dict[@]}" \
    -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -max_len="${max_len[$target]}" \
    -print_final_stats=1 -artifact_prefix="$artifacts/$target-" >"$log" 2>&1 || status=$?
  done_line="$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true)"
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
  cov="$(sed -n 's/.* cov: \([0-9]*\) ft: \([0-9]*\) corp: \([0-9]*\).*/cov \1, ft \2, corpus \3/p' \
    <<<"$done_line")"
  if [ "$status" != 0 ] || [ -z "$done_line" ]; then
    grep -vE '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse)' "$log" | tail -60 >&2
    echo "!! ${target}_fuzzer failed (exit $status); reproduce with:" >&2
    echo "   build-fuzz/fuzz/${target}_fuzzer $artifacts/$target-<crash|leak|timeout|oom>-*" >&2
    failed+=("$target")
    summary+=("${target}: FAILED after ${runs:-?} executions")
  else
    summary+=("${target}: ${runs} executions (${rate}/s), ${cov}")
  fi
done

echo "== fuzzing summary (${seconds}s per target)"
printf '   %s\n' "${summary[@]}"
if ((${#failed[@]})); then
  echo "fuzzing failed: ${failed[*]}" >&2
  exit 1
fi
