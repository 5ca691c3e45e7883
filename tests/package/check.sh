#!/usr/bin/env bash
# Checks that the packaged binary will run on Amazon Linux 2023 (glibc 2.34, gcc 11):
# no glibc symbol newer than 2.34, no libstdc++ symbol requirement at all (it is linked
# statically), and every shared library it needs is installed by the user data
# (deploy/runtime-packages.txt) or, marked `bundled` there, carried in the package's lib/: then
# it is the copy the binary loads (RUNPATH $ORIGIN/../lib), it needs no glibc newer than 2.34
# nor libstdc++, and what it needs is installed; lib/ holds nothing else. The unit's
# LimitNOFILE is above the connection cap. Then runs the packaged binary once.
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

# The newest glibc symbol version an ELF file needs; it fails above Amazon Linux 2023's 2.34,
# and on any libstdc++ symbol requirement.
check_symbols() {
  local file=$1 name=$2 newest
  newest=$(objdump -T "$file" | grep -oE 'GLIBC_[0-9]+\.[0-9]+' | sed 's/GLIBC_//' | sort -uV | tail -1)
  [[ -n "$newest" ]] || fail "$name: no glibc symbol versions found"
  if [[ "$(printf '%s\n2.34\n' "$newest" | sort -V | tail -1)" != "2.34" ]]; then
    fail "$name needs glibc $newest; Amazon Linux 2023 has 2.34:
$(objdump -T "$file" | grep -E "GLIBC_$newest" | head -5)"
  fi
  if objdump -T "$file" | grep -qE 'GLIBCXX_|CXXABI_'; then
    fail "$name needs libstdc++ symbols (it must be linked statically): $(objdump -T "$file" | grep -oE '(GLIBCXX|CXXABI)_[0-9.]+' | sort -uV | tail -1)"
  fi
  printf '%s' "$newest"
}
# Where deploy/runtime-packages.txt says a library comes from: a package, `bundled`, or nothing.
source_of() {
  sed 's/#.*//' deploy/runtime-packages.txt | awk -v lib="$1" '$1 == lib {print $2; exit}'
}
needed_by() { objdump -p "$1" | awk '/NEEDED/ {print $2}'; }

newest=$(check_symbols "$binary" bin/hrapp)
mapfile -t needed < <(needed_by "$binary")
((${#needed[@]})) || fail "no NEEDED entries found"
bundled=()
for lib in "${needed[@]}"; do
  origin=$(source_of "$lib")
  [[ -n $origin ]] ||
    fail "$lib is needed but deploy/runtime-packages.txt does not say which package provides it"
  [[ $origin == bundled ]] || continue
  bundled+=("$lib")
  file="$top/lib/$lib"
  [[ -f $file && ! -L $file ]] || fail "$lib is marked bundled but the package has no file lib/$lib"
  check_symbols "$file" "lib/$lib" >/dev/null
  while read -r dependency; do
    dependency_source=$(source_of "$dependency")
    [[ -n $dependency_source && $dependency_source != bundled ]] ||
      fail "lib/$lib needs $dependency, which deploy/runtime-packages.txt does not have installed"
  done < <(needed_by "$file")
  # The loader must take the package's copy, not one the build machine happens to have.
  loaded=$(ldd "$binary" | awk -v lib="$lib" '$1 == lib && $2 == "=>" {print $3}')
  [[ -n $loaded && $(realpath "$loaded") == $(realpath "$file") ]] ||
    fail "bin/hrapp loads $lib from '${loaded:-nowhere}', not from the package's lib/: link it with -Wl,-rpath,'\$ORIGIN/../lib' (RUNPATH: $(objdump -p "$binary" | awk '/R(UN)?PATH/ {print $2}'))"
done
if [[ -d $top/lib ]]; then
  for file in "$top"/lib/*; do
    [[ -e $file ]] || continue
    [[ " ${bundled[*]} " == *" $(basename "$file") "* ]] ||
      fail "lib/$(basename "$file") is in the package, but bin/hrapp does not need it as a bundled library"
  done
fi

# The service may hold more files than the connection cap lets clients open.
cap=$("$binary" --help | sed -nE 's/^ *MAX_CONNECTIONS.*\(([0-9]+)\)$/\1/p')
nofile=$(sed -nE 's/^LimitNOFILE=([0-9]+)$/\1/p' "$top/hrapp.service")
[[ -n "$cap" && -n "$nofile" ]] || fail "hrapp.service needs LimitNOFILE and hrapp --help a MAX_CONNECTIONS default"
((nofile >= cap + 256)) || fail "LimitNOFILE=$nofile leaves no room above MAX_CONNECTIONS ($cap) for the pool, images and logs"

[[ "$("$binary" version)" == "hrapp $(cat "$top/VERSION")" ]] || fail "the packaged binary does not run"
echo "package ok: glibc <= $newest, no libstdc++ requirement, needs ${needed[*]}${bundled[*]:+ (bundled in lib/: ${bundled[*]})}"
