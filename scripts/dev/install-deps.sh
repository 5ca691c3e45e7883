#!/usr/bin/env bash
# Installs what building, running and testing hrapp need on Debian 12, and only what is missing.
# Safe to run again: a second run with everything present does nothing but check.
set -euo pipefail
cd "$(dirname "$0")/../.."

# Boost 1.81 conflicts with Debian's default 1.74 dev packages: never libboost-dev or -all-dev.
packages=(
  build-essential cmake pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-system1.81-dev
  libpq-dev libsqlite3-dev libssl-dev libcrypt-dev libgtest-dev
  libjpeg62-turbo-dev libpng-dev libwebp-dev libgif-dev libimage-exiftool-perl
  postgresql-15 postgresql-client-15
  nodejs npm chromium wrk nginx-light shellcheck curl ca-certificates binutils sqlite3 awscli procps openssl haproxy time
  # The fuzz build: clang 14 cannot compile our coroutines with the sanitizers; 16 can.
  clang-16 libfuzzer-16-dev libclang-rt-16-dev
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# Node and npm may come from elsewhere than Debian: a working node/npm on PATH is enough.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]}")
fi
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo_cmd=(); [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq || true
  "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
fi

# The test harness's npm modules (s3rver, the reference signer, playwright-core).
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
