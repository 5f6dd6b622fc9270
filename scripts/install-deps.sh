#!/usr/bin/env bash
# Installs everything tmdns needs to build and test, from Debian 12 packages. Idempotent.
# --build-only: just what building tmdns needs (deploy/docker/Dockerfile's build stage).
set -euo pipefail

build_packages=(
  # build
  build-essential cmake pkg-config
  # libraries
  libldns-dev libc-ares-dev libyaml-cpp-dev libcurl4-openssl-dev libmaxminddb-dev
)
test_packages=(
  clang-format
  # tests
  libgtest-dev libgmock-dev googletest bind9-dnsutils knot-dnsutils ldnsutils python3
  procps iproute2
  # HTTPS probe tests make a self-signed certificate and serve it with openssl s_server
  openssl
  # tests build their own MaxMind DB files with MaxMind::DB::Writer
  libmaxmind-db-writer-perl
  # deployment tests (tests/e2e/deploy_*): real resolvers and a parent zone in front of tmdns,
  # systemd-analyze for deploy/systemd; dnsmasq-base is dnsmasq without its system service
  unbound nsd dnsmasq-base systemd
  # metrics tests: promtool checks the exposition and deploy/prometheus, and a real Prometheus
  # (started by the test on loopback, never as a service) scrapes tmdns
  prometheus
  # the load test (tests/e2e/chaos_reload_test.cc) drives a steady query rate with dnsperf
  dnsperf
  # the fuzz stage of scripts/test.sh: clang with libFuzzer and the sanitizer runtimes
  clang libclang-rt-14-dev
)
packages=("${build_packages[@]}")
if [ "${1:-}" != "--build-only" ]; then
  packages+=("${test_packages[@]}")
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  # The test resolvers must not start as system services on port 53 while installing: a
  # policy-rc.d that refuses every start (invoke-rc.d and deb-systemd-invoke honour it), removed
  # again afterwards unless it was already there.
  policy=/usr/sbin/policy-rc.d
  own_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# tmdns scripts/install-deps.sh: no service starts while installing\nexit 101\n' |
      $sudo tee "$policy" >/dev/null
    $sudo chmod 755 "$policy"
    own_policy=1
  fi
  trap 'if [ "$own_policy" = 1 ]; then $sudo rm -f "$policy"; fi' EXIT
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  # On a machine running systemd, keep them from starting at the next boot too.
  if [ -d /run/systemd/system ]; then
    for p in "${missing[@]}"; do
      case "$p" in
        unbound) units=(unbound.service unbound-resolvconf.service) ;;
        nsd) units=(nsd.service) ;;
        prometheus) units=(prometheus.service) ;;
        *) continue ;;
      esac
      $sudo systemctl disable --now "${units[@]}" >/dev/null 2>&1 || true
    done
  fi
fi
echo "tmdns dependencies installed"
