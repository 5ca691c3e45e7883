#!/usr/bin/env bash
# Builds the deployable tarball: hrapp-<version>/{bin/hrapp, lib/, web/, hrapp.service, VERSION},
# written beside the binary as hrapp-<version>-linux-x86_64.tar.gz. lib/ holds the libraries
# that deploy/runtime-packages.txt marks `bundled`, copied from this machine; the binary finds
# them through its RUNPATH ($ORIGIN/../lib). The CDK app ships the tarball as an asset;
# tests/package/check.sh checks it runs on Amazon Linux 2023.
set -euo pipefail
cd "$(dirname "$0")/../.."
binary=${1:?usage: package.sh <path-to-hrapp-binary>}
# The tarball is named and installed as x86_64 (the instances' architecture): the ELF header's
# machine field (bytes 18-19, little-endian) must say x86-64 (0x3e).
machine=$(od -An -tx1 -j18 -N2 "$binary" | tr -d ' \n')
if [[ $machine != 3e00 ]]; then
  echo "error: $binary is not an x86_64 binary (ELF machine $machine): the package must be built on an x86_64 machine" >&2
  exit 1
fi
version=$("$binary" version | awk '{print $2}')
out_dir=$(dirname "$binary")
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
top="$stage/hrapp-$version"
mkdir -p "$top/bin" "$top/lib" "$top/web"
# Debug sections stay in the build tree; the instances get a smaller binary.
objcopy --strip-debug "$binary" "$top/bin/hrapp"
# The file itself, under its soname (Debian's soname is a link to libNAME.so.X.Y.Z).
readonly LIBRARY_DIR=/usr/lib/x86_64-linux-gnu
while read -r soname _; do
  [[ -f $LIBRARY_DIR/$soname ]] || {
    echo "error: $LIBRARY_DIR/$soname is missing: the package bundles it (scripts/dev/install-deps.sh build installs it)" >&2
    exit 1
  }
  cp -L "$LIBRARY_DIR/$soname" "$top/lib/$soname"
  chmod 0644 "$top/lib/$soname"
done < <(sed 's/#.*//' deploy/runtime-packages.txt | awk '$2 == "bundled"')
if [[ -f web/index.html ]]; then cp -R web/. "$top/web/"; fi
cp deploy/hrapp.service "$top/hrapp.service"
printf '%s\n' "$version" > "$top/VERSION"
tarball="$out_dir/hrapp-$version-linux-x86_64.tar.gz"
tar -C "$stage" --owner=0 --group=0 --sort=name -czf "$tarball" "hrapp-$version"
echo "$tarball"
