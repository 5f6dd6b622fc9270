#!/usr/bin/env bash
# tmdns side by side with gdnsd, Knot and NSD (and a do-nothing responder) on one query mix.
#
#   bench/run.sh [--quick] [options]      (as root on Debian 12; see bench/README.md)
#
# Installs dnsperf, gdnsd, knot, nsd and valgrind from Debian (no service is left running),
# builds tmdns in Release, starts every server on its own free loopback port with an equivalent
# zone, checks each answers correctly, then measures each with the same query file:
#   (a) zero-loss throughput, (b) server CPU time per query at a fixed offered rate, (c) average
#   and 99th-percentile latency at that rate, (d) user-space instructions per query (callgrind),
# and tmdns alone with 10,000 profiles x 5 endpoints: load time, RSS, reload time.
# Every server is pinned to CPU 0 with one worker thread, dnsperf to CPU 1. Nothing leaves
# 127.0.0.0/8; every process started here is stopped at exit; the run ends by itself.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bench/run.sh [--quick] [options]
  --quick            short runs (seconds instead of minutes), one repetition
  --reps N           repetitions of (a)-(c); medians are reported (default 3, quick 1)
  --rate QPS         offered rate for (b) and (c) (default 60000, quick 20000)
  --duration S       seconds at that rate (default 20, quick 5)
  --callgrind-queries N   queries replayed under callgrind (default 20000, quick 5000)
  --servers LIST     comma-separated subset of tmdns,gdnsd,knot,nsd,null
  --no-callgrind     skip (d)          --no-load     skip the 10,000-profile measurements
  --build-dir DIR    where tmdns is built (default build-bench in the repository)
  --no-install       do not apt-get anything    --no-build   use the binary in --build-dir
  --out FILE         also write the results (markdown) to FILE
  --keep             keep the temporary directory (configs, logs, raw numbers)
  --wait-load MIN    before measuring, wait up to MIN minutes for the 1-minute load average to
                     drop to 1.5 or below (default 10, quick 0); the report states the load
  --rt               run the servers and dnsperf under SCHED_FIFO (see bench/README.md: other work
                     then hardly delays answers, but a real-time wake-up costs twice the CPU)
EOF
}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
quick=0
reps=""
rate=""
duration=""
cg_queries=""
servers="tmdns,gdnsd,knot,nsd,null"
do_callgrind=1
do_load=1
do_install=1
do_build=1
build_dir="$repo/build-bench"
out_file=""
keep=0
wait_load=""
rt=()
while (($#)); do
  case "$1" in
    --quick) quick=1 ;;
    --reps) reps=$2; shift ;;
    --rate) rate=$2; shift ;;
    --duration) duration=$2; shift ;;
    --callgrind-queries) cg_queries=$2; shift ;;
    --servers) servers=$2; shift ;;
    --no-callgrind) do_callgrind=0 ;;
    --no-load) do_load=0 ;;
    --no-install) do_install=0 ;;
    --no-build) do_build=0 ;;
    --build-dir) build_dir=$2; shift ;;
    --out) out_file=$2; shift ;;
    --keep) keep=1 ;;
    --wait-load) wait_load=$2; shift ;;
    --rt) rt=(chrt -f 1) ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
if ((quick)); then
  : "${reps:=1}" "${rate:=20000}" "${duration:=5}" "${cg_queries:=5000}" "${wait_load:=0}"
  step_duration=3
else
  : "${reps:=3}" "${rate:=60000}" "${duration:=20}" "${cg_queries:=20000}" "${wait_load:=10}"
  step_duration=8
fi
IFS=, read -r -a server_list <<<"$servers"

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }

# --- packages ------------------------------------------------------------------------------
install_packages() {
  local wanted=(dnsperf gdnsd knot nsd valgrind bind9-dnsutils util-linux python3 build-essential)
  local missing=()
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  "$repo/scripts/install-deps.sh" --build-only >/dev/null
  if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    # No Debian service may start (on port 53) while installing: a policy-rc.d that refuses
    # every start, removed again afterwards unless it was already there.
    local policy=/usr/sbin/policy-rc.d own=0
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && own=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
      >/dev/null || { ((own)) && rm -f "$policy"; die "apt-get install failed"; }
    ((own)) && rm -f "$policy"
  fi
  # On a machine with systemd, make sure the packaged services are neither running nor enabled.
  if [ -d /run/systemd/system ]; then
    systemctl disable --now gdnsd.service knot.service nsd.service >/dev/null 2>&1 || true
  fi
}

# --- processes -------------------------------------------------------------------------------
tmp=""
pids=()
prio=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  sleep 0.5
  for pid in "${pids[@]}"; do
    # Children first (nsd's server and xfrd processes, valgrind'ed children), then the leader.
    pkill -KILL -P "$pid" 2>/dev/null || true
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [ -n "$tmp" ] && ((keep == 0)); then
    rm -rf "$tmp"
  elif [ -n "$tmp" ]; then
    log "kept $tmp"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Starts "$@" in the background, pinned to CPU 0, output to $logfile; sets $started.
start_pinned() {
  local logfile=$1
  shift
  taskset -c 0 "${prio[@]}" "$@" >"$logfile" 2>&1 &
  started=$!
  pids+=("$started")
}

stop_pid() {
  local pid=$1 i
  if ! kill -TERM "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null || true
    forget_pid "$pid"
    return 0
  fi
  for ((i = 0; i < 600; ++i)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  pkill -KILL -P "$pid" 2>/dev/null || true
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  forget_pid "$pid"
}

# Stopped processes leave the list, so that the exit trap never signals a reused pid.
forget_pid() {
  local keep=() p
  for p in "${pids[@]}"; do
    [ "$p" = "$1" ] || keep+=("$p")
  done
  pids=("${keep[@]}")
}

tree_pids() {
  local pid=$1 child
  echo "$pid"
  for child in $(pgrep -P "$pid" 2>/dev/null); do
    tree_pids "$child"
  done
}

# CPU time (ns) used so far by every thread of a process tree (/proc/PID/task/TID/schedstat).
cpu_ns() {
  local total=0 pid f run rest
  for pid in $(tree_pids "$1"); do
    for f in /proc/"$pid"/task/*/schedstat; do
      read -r run rest <"$f" 2>/dev/null || continue
      total=$((total + run))
    done
  done
  echo "$total"
}

free_port() {
  python3 - <<'EOF'
import socket
while True:
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.bind(("127.0.0.1", 0))
    port = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", port))
    except OSError:
        continue
    print(port)
    break
EOF
}

# --- DNS checks ------------------------------------------------------------------------------
q() {  # q PORT NAME TYPE [dig options...]: the answer section, one record a line
  local port=$1 name=$2 type=$3
  shift 3
  dig @127.0.0.1 -p "$port" +tries=1 +time=2 +norecurse "$name" "$type" "$@" 2>/dev/null
}

wait_answering() {  # wait_answering PORT SECONDS PID: until the apex SOA (or the echo) comes back
  local port=$1 limit=$2 pid=$3 i
  for ((i = 0; i < limit * 5; ++i)); do
    kill -0 "$pid" 2>/dev/null || return 1
    if q "$port" bench.test SOA | grep -Eq 'hostmaster|flags: qr'; then
      return 0
    fi
    sleep 0.2
  done
  return 1
}

wait_log_line() {  # wait_log_line FILE PATTERN PID: polls every 10 ms, gives up after 300 s
  local i
  for ((i = 0; i < 30000; ++i)); do
    grep -q "$2" "$1" && return 0
    kill -0 "$3" 2>/dev/null || return 1
    sleep 0.01
  done
  return 1
}

expect() {  # expect SERVER DESCRIPTION PATTERN OUTPUT
  if ! grep -Eq "$3" <<<"$4"; then
    log "$1: wrong answer for $2 (wanted /$3/):"
    printf '%s\n' "$4" >&2
    return 1
  fi
}

check_answers() {  # check_answers SERVER PORT KIND(dynamic|static|null)
  local s=$1 p=$2 kind=$3 ok=0
  [ "$kind" = null ] && { q "$p" prio.bench.test A | grep -q 'status: NOERROR' && return 0; return 1; }
  expect "$s" "prio A" $'IN\tA\t127\\.0\\.0\\.11' "$(q "$p" prio.bench.test A)" || ok=1
  expect "$s" "wrr A" $'IN\tA\t127\\.0\\.0\\.2[123]' "$(q "$p" wrr.bench.test A)" || ok=1
  expect "$s" "mv A" $'IN\tA\t127\\.0\\.0\\.3[1-4]' "$(q "$p" mv.bench.test A)" || ok=1
  expect "$s" "mv AAAA" $'IN\tAAAA\t2001:db8::3[12]' "$(q "$p" mv.bench.test AAAA)" || ok=1
  local nodata
  nodata=$(q "$p" prio.bench.test AAAA)
  expect "$s" "prio AAAA (NODATA)" 'status: NOERROR' "$nodata" || ok=1
  expect "$s" "prio AAAA (NODATA)" 'ANSWER: 0, AUTHORITY: 1' "$nodata" || ok=1
  expect "$s" "NXDOMAIN" 'status: NXDOMAIN' "$(q "$p" nx123.bench.test A)" || ok=1
  expect "$s" "apex NS" $'IN\tNS\tns2\\.bench\\.test' "$(q "$p" bench.test NS)" || ok=1
  if [ "$kind" = dynamic ]; then
    # 198.18.0.0/25 is in Ireland (GEO-EU), 198.18.1.0/25 in the US (GEO-NA); 198.18.200.0/24
    # is in office endpoint b's range, 198.19.200.0/24 in no range (the fallback).
    expect "$s" "geo A (ECS IE)" $'IN\tA\t127\\.0\\.0\\.41' \
      "$(q "$p" geo.bench.test A +subnet=198.18.0.0/25)" || ok=1
    expect "$s" "geo A (ECS US)" $'IN\tA\t127\\.0\\.0\\.42' \
      "$(q "$p" geo.bench.test A +subnet=198.18.1.0/25)" || ok=1
    expect "$s" "geo A (no ECS)" $'IN\tA\t127\\.0\\.0\\.44' "$(q "$p" geo.bench.test A)" || ok=1
    expect "$s" "office A (ECS b)" $'IN\tA\t127\\.0\\.0\\.52' \
      "$(q "$p" office.bench.test A +subnet=198.18.200.0/24)" || ok=1
    expect "$s" "office A (fallback)" $'IN\tA\t127\\.0\\.0\\.54' \
      "$(q "$p" office.bench.test A +subnet=198.19.200.0/24)" || ok=1
  else
    expect "$s" "geo A" $'IN\tA\t127\\.0\\.0\\.44' "$(q "$p" geo.bench.test A)" || ok=1
    expect "$s" "office A" $'IN\tA\t127\\.0\\.0\\.54' "$(q "$p" office.bench.test A)" || ok=1
  fi
  return $ok
}

# --- servers ---------------------------------------------------------------------------------
declare -A port kind
kind=([tmdns]=dynamic [gdnsd]=dynamic [knot]=static [nsd]=static [null]=null)

# start_server NAME [WRAPPER...]: starts it pinned to CPU 0, sets $started (the leader's pid).
start_server() {
  local s=$1
  shift
  local d="$tmp/$s"
  case "$s" in
    tmdns) start_pinned "$d/log.$runs" "$@" "$tmdns" --config "$d/tmdns.yaml" ;;
    gdnsd) rm -rf "$d/run" "$d/state"
      start_pinned "$d/log.$runs" "$@" gdnsd -c "$d" start ;;
    knot) rm -rf "$d/db" && mkdir -p "$d/db"
      start_pinned "$d/log.$runs" "$@" knotd -c "$d/knot.conf" ;;
    nsd) rm -f "$d/nsd.pid" "$d/xfrd.state" "$d/zone.list"
      start_pinned "$d/log.$runs" "$@" nsd -d -c "$d/nsd.conf" ;;
    null) start_pinned "$d/log.$runs" "$@" "$tmp/null_responder" "${port[null]}" ;;
  esac
  runs=$((runs + 1))
}
runs=0

# --- measurements ----------------------------------------------------------------------------
# dnsperf pinned to CPU 1 (4 MiB socket buffers: a burst of answers must not overflow them);
# prints its output.
perf_client() {
  taskset -c 1 "${rt[@]}" dnsperf -B -b 4096 -d "$tmp/queries.bin" -s 127.0.0.1 -c 1 -T 1 "$@" 2>&1
}
replay_client() {
  taskset -c 1 dnsperf -B -b 4096 -d "$tmp/replay.bin" -s 127.0.0.1 -c 1 -T 1 -n 1 "$@" 2>&1
}

field() {  # field "Queries per second" OUTPUT
  awk -v k="$1" 'index($0, k) { sub(/.*: */, ""); split($0, a, /[ (%]/); print a[1]; exit }' <<<"$2"
}

# (a) zero-loss throughput: a closed loop of 100 outstanding queries; with any loss, offered
# rates 5 % lower until none is lost.
measure_throughput() {
  local s=$1 p=${port[$1]} outp qps lost tries
  outp=$(perf_client -p "$p" -l "$step_duration" -q 100 -t 2)
  qps=$(field "Queries per second" "$outp")
  lost=$(field "Queries lost" "$outp")
  tries=0
  while [ "${lost:-1}" != 0 ] && ((tries < 6)); do
    qps=$(awk -v q="$qps" 'BEGIN { printf "%d", q * 0.95 }')
    outp=$(perf_client -p "$p" -l "$step_duration" -q 200 -t 2 -Q "$qps")
    lost=$(field "Queries lost" "$outp")
    [ "$lost" = 0 ] && qps=$(field "Queries per second" "$outp")
    tries=$((tries + 1))
  done
  [ "$lost" = 0 ] || qps=0
  echo "$qps"
}

# (b), (c): offered $rate for $duration s; server CPU from schedstat before and after; latency
# of every answer from dnsperf -v.
measure_rate() {
  local s=$1 pid=$2 p=${port[$1]} before after outp lat="$tmp/latency.txt"
  before=$(cpu_ns "$pid")
  perf_client -p "$p" -l "$duration" -q 500 -t 2 -Q "$rate" -v >"$lat"
  after=$(cpu_ns "$pid")
  outp=$(grep -v '^>' "$lat")
  local completed lost achieved
  completed=$(field "Queries completed" "$outp")
  lost=$(field "Queries lost" "$outp")
  achieved=$(field "Queries per second" "$outp")
  awk '/^> / { print $NF * 1e6 }' "$lat" | sort -n | awk -v b="$before" -v a="$after" \
    -v n="$completed" -v lost="$lost" -v qps="$achieved" '
    { v[NR] = $1; sum += $1 }
    END {
      p99 = v[int(NR * 0.99) > 0 ? int(NR * 0.99) : 1]
      printf "%.3f %.1f %.1f %s %s\n", (a - b) / 1000 / n, sum / NR, p99, lost, qps
    }'
}

# (d) callgrind: instructions of a run that replays $cg_queries queries, minus those of a run
# that sits idle as long, divided by $cg_queries. Both runs start, answer one readiness query
# and stop the same way, so start-up, shutdown and periodic monitoring cancel out.
callgrind_run() {  # callgrind_run SERVER MODE(replay|idle) SECONDS: sets cg_total, cg_elapsed
  local s=$1 mode=$2 idle=$3 d="$tmp/cg/$1.$2" t0 t1 pid
  mkdir -p "$d"
  start_server "$s" valgrind --tool=callgrind --trace-children=yes \
    --callgrind-out-file="$d/callgrind.out.%p" --log-file="$d/valgrind.%p.log"
  pid=$started
  wait_answering "${port[$s]}" 300 "$pid" || die "$s did not start under callgrind"
  t0=$(date +%s.%N)
  if [ "$mode" = replay ]; then
    local outp
    outp=$(replay_client -p "${port[$s]}" -q 20 -t 30)
    [ "$(field "Queries lost" "$outp")" = 0 ] || log "$s: queries lost under callgrind"
  else
    sleep "$idle"
  fi
  t1=$(date +%s.%N)
  stop_pid "$pid"
  cg_total=$(awk '/^summary:/ { s += $2 } END { printf "%d", s }' "$d"/callgrind.out.*)
  cg_elapsed=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
}

measure_callgrind() {  # sets instr_per_query
  local s=$1 replay
  callgrind_run "$s" replay 0
  replay=$cg_total
  callgrind_run "$s" idle "$cg_elapsed"
  instr_per_query=$(awk -v r="$replay" -v i="$cg_total" -v n="$cg_queries" \
    'BEGIN { printf "%.0f", (r - i) / n }')
}

# --- main ------------------------------------------------------------------------------------
[ "$(id -u)" = 0 ] || die "run as root (apt-get, CPU pinning of servers)"
((do_install)) && install_packages
for c in dnsperf gdnsd knotd nsd taskset dig python3 cc; do
  command -v "$c" >/dev/null || die "$c is missing (run without --no-install)"
done
((do_callgrind)) && ! command -v valgrind >/dev/null && die "valgrind is missing"
[ "$(nproc)" -ge 2 ] || die "needs 2 CPUs: servers on CPU 0, dnsperf on CPU 1"

if ((do_build)); then
  log "building tmdns (Release) in $build_dir"
  cmake -S "$repo" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build_dir" --target tmdns -j2 >/dev/null
fi
tmdns="$build_dir/tmdns"
[ -x "$tmdns" ] || die "no tmdns binary at $tmdns"

tmp=$(mktemp -d /tmp/tmdns-bench.XXXXXX)
log "working in $tmp; load: $(cut -d' ' -f1-3 /proc/loadavg)"
for s in tmdns gdnsd knot nsd null; do
  port[$s]=$(free_port)
done
backend_port=$(free_port)
python3 "$repo/bench/gen_bench.py" mix --out "$tmp" --backend-port "$backend_port" \
  --replay-queries "$cg_queries" --ports "tmdns=${port[tmdns]},gdnsd=${port[gdnsd]},knot=${port[knot]},nsd=${port[nsd]}"
mkdir -p "$tmp/null"
cc -O2 -o "$tmp/null_responder" "$repo/bench/null_responder.c"

# The endpoints' backends (loopback only), on CPU 1 with the load generator: they see a probe
# every few seconds, nothing else.
taskset -c 1 python3 "$repo/bench/backend.py" "$backend_port" $(cat "$tmp/backends.txt") \
  >"$tmp/backend.log" 2>&1 &
pids+=("$!")

# Other work on the machine inflates CPU times and latencies: wait a while for it to settle.
for ((i = 0; i < wait_load * 6; ++i)); do
  awk '{ exit !($1 > 1.5) }' /proc/loadavg || break
  ((i == 0)) && log "load $(cut -d' ' -f1 /proc/loadavg) > 1.5: waiting up to $wait_load min"
  sleep 10
done
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
log "measuring; load: $load_start"

results="$tmp/results.tsv"
: >"$results"
declare -A server_pid
# With --rt, SCHED_FIFO for the measured servers and dnsperf: whatever else runs on the machine
# waits while they have work instead of delaying answers by whole time slices (on a busy 2-core
# machine that makes every p99 a few milliseconds). Every server gets the same.
prio=("${rt[@]}")
for s in "${server_list[@]}"; do
  start_server "$s"
  server_pid[$s]=$started
done
for s in "${server_list[@]}"; do
  wait_answering "${port[$s]}" 60 "${server_pid[$s]}" || die "$s is not answering (see $tmp)"
done
# gdnsd's and tmdns's monitors see every backend before anything is measured.
sleep 3
for s in "${server_list[@]}"; do
  check_answers "$s" "${port[$s]}" "${kind[$s]}" || die "$s answers wrongly (see above)"
  log "$s answers correctly on 127.0.0.1:${port[$s]} (pid ${server_pid[$s]})"
done

for ((rep = 1; rep <= reps; ++rep)); do
  for s in "${server_list[@]}"; do
    log "rep $rep/$reps: $s: zero-loss throughput"
    printf '%s\t%d\tqps\t%s\n' "$s" "$rep" "$(measure_throughput "$s")" >>"$results"
    log "rep $rep/$reps: $s: $rate q/s for ${duration}s"
    read -r cpu avg p99 lost achieved <<<"$(measure_rate "$s" "${server_pid[$s]}")"
    printf '%s\t%d\tcpu_us\t%s\n%s\t%d\tavg_us\t%s\n%s\t%d\tp99_us\t%s\n' \
      "$s" "$rep" "$cpu" "$s" "$rep" "$avg" "$s" "$rep" "$p99" >>"$results"
    printf '%s\t%d\trate_lost\t%s\n%s\t%d\trate_achieved\t%s\n' \
      "$s" "$rep" "$lost" "$s" "$rep" "$achieved" >>"$results"
  done
done
for s in "${server_list[@]}"; do
  stop_pid "${server_pid[$s]}"
done

prio=()  # valgrind'ed servers are slow enough without being real-time
if ((do_callgrind)); then
  for s in "${server_list[@]}"; do
    log "$s: callgrind, $cg_queries queries"
    measure_callgrind "$s"
    printf '%s\t1\tinstr\t%s\n' "$s" "$instr_per_query" >>"$results"
  done
fi

load_lines=""
if ((do_load)); then
  log "tmdns: 10,000 profiles x 5 endpoints"
  python3 "$repo/bench/gen_bench.py" large --out "$tmp/large" --port "$(free_port)"
  for ((rep = 1; rep <= reps; ++rep)); do
    t0=$(date +%s%N)
    "$tmdns" --check-config "$tmp/large/tmdns.yaml" >/dev/null 2>&1 || die "large config rejected"
    t1=$(date +%s%N)
    printf 'tmdns\t%d\tcheck_ms\t%d\n' "$rep" $(((t1 - t0) / 1000000)) >>"$results"
    : >"$tmp/large/log"
    t0=$(date +%s%N)
    "$tmdns" --config "$tmp/large/tmdns.yaml" >"$tmp/large/log" 2>&1 &
    lpid=$!
    pids+=("$lpid")
    wait_log_line "$tmp/large/log" '^tmdns: serving generation' "$lpid" || die "large: no start"
    t1=$(date +%s%N)
    rss=$(awk '/^VmRSS/ { print $2 }' /proc/"$lpid"/status)
    t2=$(date +%s%N)
    kill -HUP "$lpid"
    wait_log_line "$tmp/large/log" '^tmdns: reloaded' "$lpid" || die "large: no reload"
    t3=$(date +%s%N)
    rss2=$(awk '/^VmRSS/ { print $2 }' /proc/"$lpid"/status)
    stop_pid "$lpid"
    : >"$tmp/large/log"
    printf 'tmdns\t%d\tserve_ms\t%d\ntmdns\t%d\trss_mib\t%s\n' "$rep" $(((t1 - t0) / 1000000)) \
      "$rep" "$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')" >>"$results"
    printf 'tmdns\t%d\treload_ms\t%d\ntmdns\t%d\trss_reload_mib\t%s\n' "$rep" \
      $(((t3 - t2) / 1000000)) "$rep" "$(awk -v k="$rss2" 'BEGIN { printf "%.1f", k / 1024 }')" \
      >>"$results"
  done
fi

report=$(python3 "$repo/bench/report.py" "$results" --rate "$rate" --duration "$duration" \
  --reps "$reps" --callgrind-queries "$cg_queries" --servers "$servers" --load-start "$load_start")
printf '%s\n' "$report"
[ -n "$out_file" ] && printf '%s\n' "$report" >"$out_file"
log "done; load: $(cut -d' ' -f1-3 /proc/loadavg)"
