#!/usr/bin/env bash
# Installs, on Debian 12, what is missing of what hrapp needs, and nothing else:
#   scripts/dev/install-deps.sh build   what building the binary and its package needs
#   scripts/dev/install-deps.sh         that, plus what the tests need (servers, browser, npm modules)
# Safe to run again: with everything present it only checks.
set -euo pipefail
cd "$(dirname "$0")/../.."

usage() {
  echo "usage: $0 [build]" >&2
  exit 2
}
scope=all
case ${1-} in
  '') ;;
  build) scope=build ;;
  *) usage ;;
esac

# Building: the compiler, CMake and the libraries the binary links (Boost 1.81, which conflicts
# with Debian's default 1.74 dev packages: never libboost-dev or -all-dev), GoogleTest (the
# release build makes the unit tests too) and objcopy for the package. libqrencode-dev brings
# libqrencode4 and liblcms2-dev liblcms2-2, whose shared libraries the package bundles (Debian has
# no static ones); libicu-dev brings the static ICU that sorts and folds names.
build_packages=(
  build-essential cmake pkg-config binutils
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-system1.81-dev
  libpq-dev libsqlite3-dev libssl-dev libcrypt-dev libgtest-dev
  libjpeg62-turbo-dev libpng-dev zlib1g-dev libwebp-dev libgif-dev libbrotli-dev libqrencode-dev
  libicu-dev liblcms2-dev
)
# Testing: PostgreSQL, the browser, load balancers and load generator, the AWS CLI and botocore
# (references for signatures and for the fakes' answers), shellcheck and file (the operator
# scripts' tests), and the fuzz build (clang 14 cannot compile our coroutines with the
# sanitizers; 16 can).
test_packages=(
  postgresql-15 postgresql-client-15 sqlite3
  nodejs npm chromium
  wrk nginx-light haproxy time procps curl ca-certificates openssl
  awscli python3 python3-botocore shellcheck file libimage-exiftool-perl
  clang-16 libfuzzer-16-dev libclang-rt-16-dev
)

# The package is an x86_64 Linux tarball for Amazon Linux 2023 (the instances are x86_64).
machine=$(uname -m)
if [[ $machine != x86_64 ]]; then
  echo "error: hrapp is built for x86_64 instances, and this machine is $machine: build on an x86_64 Debian 12 machine" >&2
  exit 1
fi

packages=("${build_packages[@]}")
[[ $scope == build ]] || packages+=("${test_packages[@]}")
missing=()
if command -v dpkg-query >/dev/null; then
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
else
  missing=("${packages[@]}")
fi
# Node and npm may come from elsewhere than Debian: a working node/npm on PATH is enough.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]}")
fi

if ((${#missing[@]})); then
  # Say what is needed before trying to install it, so a machine where that cannot work fails
  # with the list to install by other means.
  echo "missing Debian 12 packages ($scope): ${missing[*]}"
  if ! grep -qs '^VERSION_ID="12"' /etc/os-release || ! command -v apt-get >/dev/null; then
    echo "error: this is not Debian 12: install the packages above (or their equivalents) by hand" >&2
    exit 1
  fi
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "error: installing them needs root or sudo" >&2; exit 1; }
    sudo_cmd=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq || true
  "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
fi

# The test harness's npm modules (s3rver, the reference signer, playwright-core).
if [[ $scope == all ]] && [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
