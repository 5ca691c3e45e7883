#!/usr/bin/env bash
# Checks that the packaged binary will run on Amazon Linux 2023 (glibc 2.34, gcc 11):
# no glibc symbol newer than 2.34, no libstdc++ symbol requirement at all (it is linked
# statically), and every shared library it needs is installed by the user data
# (deploy/runtime-packages.txt); the unit's LimitNOFILE is above the connection cap. Then runs
# the packaged binary once.
set -euo pipefail
cd "$(dirname "$0")/../.."
tarball=${1:?usage: check.sh <hrapp-tarball>}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -C "$work" -xzf "$tarball"
top=$(find "$work" -mindepth 1 -maxdepth 1 -type d)
fail() { echo "package check FAILED: $*" >&2; exit 1; }

for f in bin/hrapp hrapp.service VERSION web/index.html; do
  [[ -e "$top/$f" ]] || fail "the tarball has no $f"
done
binary="$top/bin/hrapp"

newest=$(objdump -T "$binary" | grep -oE 'GLIBC_[0-9]+\.[0-9]+' | sed 's/GLIBC_//' | sort -uV | tail -1)
[[ -n "$newest" ]] || fail "no glibc symbol versions found"
if [[ "$(printf '%s\n2.34\n' "$newest" | sort -V | tail -1)" != "2.34" ]]; then
  fail "needs glibc $newest; Amazon Linux 2023 has 2.34:
$(objdump -T "$binary" | grep -E "GLIBC_$newest" | head -5)"
fi
if objdump -T "$binary" | grep -qE 'GLIBCXX_|CXXABI_'; then
  fail "needs libstdc++ symbols (it must be linked statically): $(objdump -T "$binary" | grep -oE '(GLIBCXX|CXXABI)_[0-9.]+' | sort -uV | tail -1)"
fi

mapfile -t needed < <(objdump -p "$binary" | awk '/NEEDED/ {print $2}')
((${#needed[@]})) || fail "no NEEDED entries found"
for lib in "${needed[@]}"; do
  grep -qE "^${lib//./\\.}[[:space:]]+[a-z]" deploy/runtime-packages.txt ||
    fail "$lib is needed but deploy/runtime-packages.txt does not say which package provides it"
done

# The service may hold more files than the connection cap lets clients open.
cap=$("$binary" --help | sed -nE 's/^ *MAX_CONNECTIONS.*\(([0-9]+)\)$/\1/p')
nofile=$(sed -nE 's/^LimitNOFILE=([0-9]+)$/\1/p' "$top/hrapp.service")
[[ -n "$cap" && -n "$nofile" ]] || fail "hrapp.service needs LimitNOFILE and hrapp --help a MAX_CONNECTIONS default"
((nofile >= cap + 256)) || fail "LimitNOFILE=$nofile leaves no room above MAX_CONNECTIONS ($cap) for the pool, images and logs"

[[ "$("$binary" version)" == "hrapp $(cat "$top/VERSION")" ]] || fail "the packaged binary does not run"
echo "package ok: glibc <= $newest, no libstdc++ requirement, needs ${needed[*]}"
