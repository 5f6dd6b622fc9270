#!/usr/bin/env bash
# Installs everything tmdns needs to build and test, from Debian 12 packages. Idempotent.
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config clang-format
  # libraries
  libldns-dev libc-ares-dev libyaml-cpp-dev libcurl4-openssl-dev libmaxminddb-dev
  # tests
  libgtest-dev libgmock-dev googletest bind9-dnsutils knot-dnsutils ldnsutils python3
  procps iproute2
  # tests build their own MaxMind DB files with MaxMind::DB::Writer
  libmaxmind-db-writer-perl
)

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
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "tmdns dependencies installed"
