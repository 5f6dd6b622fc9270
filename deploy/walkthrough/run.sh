#!/usr/bin/env bash
# Cross-region disaster-recovery walkthrough (docs/walkthrough.md): three regional HTTP backends
# on loopback and tmdns in front of them, started, stopped and inspected one command at a time.
#
#   run.sh start                 backends for weu, neu, eus + tmdns (waits until /readyz says ready)
#   run.sh stop-region REGION    stop that region's backend (its address then refuses connections)
#   run.sh start-region REGION   start it again
#   run.sh status                processes, and each endpoint's monitor status from /status
#   run.sh down                  stop everything and remove the state directory
#
# Environment: TMDNS_BINARY (default <repo>/build/tmdns), TMDNS_DNS_PORT (5353), TMDNS_HTTP_PORT
# (9153), BACKEND_PORT (8080), WALKTHROUGH_STATE_DIR (${TMPDIR:-/tmp}/tmdns-walkthrough),
# PYTHON (python3).
# Everything listens on 127.0.0.0/8 only.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
binary="${TMDNS_BINARY:-$repo/build/tmdns}"
dns_port="${TMDNS_DNS_PORT:-5353}"
http_port="${TMDNS_HTTP_PORT:-9153}"
backend_port="${BACKEND_PORT:-8080}"
state="${WALKTHROUGH_STATE_DIR:-${TMPDIR:-/tmp}/tmdns-walkthrough}"

declare -A region_address=([weu]=127.0.0.11 [neu]=127.0.0.12 [eus]=127.0.0.13)
declare -A region_name=([weu]="West Europe" [neu]="North Europe" [eus]="East US")
regions=(weu neu eus)

die() {
  echo "run.sh: $*" >&2
  exit 1
}

# The pid in $state/<name>.pid when that process still runs and is the one we started (its
# command line contains $2), else nothing.
live_pid() {
  local file="$state/$1.pid" pid
  [[ -f "$file" ]] || return 0
  pid="$(<"$file")"
  if [[ -r "/proc/$pid/cmdline" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$2"; then
    echo "$pid"
  fi
}

# Sends SIGTERM to the process in $state/<name>.pid (if it is ours) and waits for it to exit.
stop_process() {
  local pid
  pid="$(live_pid "$1" "$2")"
  if [[ -n "$pid" ]]; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$state/$1.pid"
}

# True once something accepts TCP connections on $1:$2.
listening() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

check_region() {
  [[ -n "${region_address[$1]:-}" ]] || die "unknown region '$1' (one of: ${regions[*]})"
}

start_region() {
  local region="$1" address="${region_address[$1]}"
  if [[ -n "$(live_pid "backend-$region" "$address")" ]]; then
    echo "region $region (${region_name[$region]}) already running on $address:$backend_port"
    return
  fi
  mkdir -p "$state/www-$region"
  echo "ok $region" >"$state/www-$region/health"
  # setsid: its own session, so that it outlives the shell (or test) that ran this script.
  setsid "${PYTHON:-python3}" -m http.server --bind "$address" --directory "$state/www-$region" \
    "$backend_port" </dev/null >>"$state/backend-$region.log" 2>&1 &
  local pid=$!
  echo "$pid" >"$state/backend-$region.pid"
  for _ in $(seq 200); do
    if listening "$address" "$backend_port"; then
      echo "region $region (${region_name[$region]}) up: http://$address:$backend_port/health"
      return
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  cat "$state/backend-$region.log" >&2 || true
  die "backend for $region did not start on $address:$backend_port"
}

stop_region() {
  stop_process "backend-$1" "${region_address[$1]}"
  echo "region $1 (${region_name[$1]}) stopped: ${region_address[$1]}:$backend_port refuses connections"
}

start() {
  [[ -x "$binary" ]] || die "no tmdns binary at $binary (build it, or set TMDNS_BINARY)"
  if [[ -n "$(live_pid tmdns "$state/tmdns.yaml")" ]]; then
    die "already running (state in $state); run.sh down first"
  fi
  mkdir -p "$state"
  # The served configuration: tmdns.yaml with this run's ports, next to a copy of latency.csv.
  sed -e "s/127\.0\.0\.1:5353/127.0.0.1:$dns_port/" -e "s/127\.0\.0\.1:9153/127.0.0.1:$http_port/" \
    -e "s/port: 8080/port: $backend_port/" "$here/tmdns.yaml" >"$state/tmdns.yaml"
  cp "$here/latency.csv" "$state/latency.csv"
  "$binary" --check-config "$state/tmdns.yaml" >/dev/null 2>"$state/check.log" || {
    cat "$state/check.log" >&2
    die "configuration rejected"
  }
  for region in "${regions[@]}"; do
    start_region "$region"
  done
  setsid "$binary" --config "$state/tmdns.yaml" </dev/null >>"$state/tmdns.log" 2>&1 &
  local pid=$!
  echo "$pid" >"$state/tmdns.pid"
  # /readyz: configuration served, listeners bound, every endpoint probed once.
  for _ in $(seq 200); do
    if [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$http_port/readyz")" == 200 ]]; then
      echo "tmdns ready: DNS 127.0.0.1:$dns_port, HTTP http://127.0.0.1:$http_port (log: $state/tmdns.log)"
      return
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  cat "$state/tmdns.log" >&2 || true
  die "tmdns did not become ready"
}

# Prints each profile's and endpoint's monitor status (with the last change's reason) from /status.
read -r -d '' status_py <<'EOF_PY' || true
import json, sys
for zone in json.load(sys.stdin)["zones"]:
    for p in zone["profiles"]:
        print("%s: %s" % (p["name"], p["profileMonitorStatus"]))
        for e in p["endpoints"]:
            reason = (e.get("lastChange") or {}).get("reason") or ""
            print("  %-4s %-11s %-16s %s" % (e["name"], e["target"], e["endpointMonitorStatus"], reason))
EOF_PY

describe() {
  if [[ -n "$1" ]]; then echo "running (pid $1)"; else echo stopped; fi
}

status() {
  local pid
  pid="$(live_pid tmdns "$state/tmdns.yaml")"
  echo "tmdns: $(describe "$pid")"
  for region in "${regions[@]}"; do
    pid="$(live_pid "backend-$region" "${region_address[$region]}")"
    printf '%-4s %-13s %s:%s %s\n' "$region" "${region_name[$region]}" \
      "${region_address[$region]}" "$backend_port" "$(describe "$pid")"
  done
  local json
  if json="$(curl -sf "http://127.0.0.1:$http_port/status")"; then
    python3 -c "$status_py" <<<"$json"
  fi
}

down() {
  stop_process tmdns "$state/tmdns.yaml"
  for region in "${regions[@]}"; do
    stop_process "backend-$region" "${region_address[$region]}"
  done
  rm -rf "$state"
  echo "stopped; removed $state"
}

case "${1:-}" in
  start) start ;;
  stop-region)
    check_region "${2:-}"
    stop_region "$2"
    ;;
  start-region)
    check_region "${2:-}"
    start_region "$2"
    ;;
  status) status ;;
  down) down ;;
  *) die "usage: run.sh start | stop-region REGION | start-region REGION | status | down (REGION: ${regions[*]})" ;;
esac
