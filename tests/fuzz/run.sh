#!/usr/bin/env bash
# Runs every libFuzzer target of a fuzz build for a bounded time each:
#   tests/fuzz/run.sh <fuzz-build-dir> <seconds-per-target>
# Each target starts from its committed corpus (tests/fuzz/corpus/<name>, read only) and
# writes what it discovers to a scratch folder. A crash, sanitizer report, leak or time-out
# fails the run; the input that caused it is kept in <fuzz-build-dir>/findings/<name>/.
set -euo pipefail
if [[ $# -ne 2 ]]; then
  echo "usage: $0 <fuzz-build-dir> <seconds-per-target>" >&2
  exit 2
fi
build=$(realpath "$1") seconds=$2
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
if symbolizer=$(command -v llvm-symbolizer-16 || command -v llvm-symbolizer); then export ASAN_SYMBOLIZER_PATH=$symbolizer; fi

status=0 ran=0
for target in "$build"/tests/fuzz/fuzz_*; do
  [[ -x $target ]] || continue
  name=${target##*/fuzz_}
  corpus=$repo/tests/fuzz/corpus/$name
  if [[ ! -d $corpus ]]; then
    echo "fuzz: $name has no corpus in tests/fuzz/corpus/$name" >&2
    status=1
    continue
  fi
  findings=$build/findings/$name
  mkdir -p "$findings" "$scratch/$name"
  echo "fuzz: $name for ${seconds}s" >&2
  if "$target" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$findings/" "$scratch/$name" "$corpus" >"$scratch/$name.log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^stat::new_units_added' "$scratch/$name.log" | tr '\n' ' ' >&2
    echo >&2
  else
    tail -60 "$scratch/$name.log" >&2
    echo "fuzz: $name FAILED; the input is in $findings/" >&2
    status=1
  fi
  ran=$((ran + 1))
done
if ((ran == 0)); then
  echo "fuzz: no targets in $build/tests/fuzz (build with: cmake --preset fuzz && cmake --build --preset fuzz)" >&2
  exit 1
fi
exit $status
