#!/usr/bin/env bash
# The rate of creation of two builds, by turns on the same machine, so that its drift falls on
# both alike:   bench/create-ab.sh <hrapp-A> <hrapp-B> [rounds (3)]
# Each round, for each engine (BENCH_ENGINES, "sqlite postgres"; PostgreSQL 15 beside it, from
# tests/with-postgres.sh), starts each build in turn (the order alternating between rounds) on
# an empty database, signs one account in and measures POST /employees with a small photo (a
# BENCH_CREATE_PHOTO_SIDE (400) px square JPEG drawn by bench/small-photo.mjs, about 33 KB at
# 400 px; bench/create.lua) with wrk: 2
# threads, BENCH_CREATE_CONNECTIONS (16) connections, BENCH_DURATION (10) seconds. Prints each
# run (creates/s, p50, p99, and per create hrapp's CPU and PostgreSQL's), then per engine and
# build the medians and B's rate over A's.
# With BENCH_PERF_DIR set, the last round also samples each build's hrapp with `perf record -g`
# during its run and writes there `perf report --sort symbol` of it, by self time
# (<engine>-<A|B>-no-children.txt) and with callees (<engine>-<A|B>-children.txt).
set -euo pipefail
if [[ -z ${HRAPP_TEST_POSTGRES_URL:-} && " ${BENCH_ENGINES:-sqlite postgres} " == *" postgres "* ]]; then
  exec "$(dirname "$0")/../tests/with-postgres.sh" "$0" "$@"
fi
a=$(realpath "$1") b=$(realpath "$2") rounds=${3:-3}
cd "$(dirname "$0")/.."
source bench/lib.sh
duration=${BENCH_DURATION:-10}
connections=${BENCH_CREATE_CONNECTIONS:-16}
init_work
side=${BENCH_CREATE_PHOTO_SIDE:-400}
node bench/small-photo.mjs "$work/photo.jpg" "$side" "$side"
export BENCH_PHOTO="$work/photo.jpg"
cat bench/create.lua bench/report.lua >"$work/create.lua"
tick_us=$((1000000 / $(getconf CLK_TCK)))
databases=0

measure_build() {  # measure_build <engine> <label> <binary> <round>
  local engine=$1 label=$2 binary=$3 round=$4 port data env_vars=() perf_pid=""
  port=$(free_port)
  data=$(mktemp -d -p "$work")
  env_vars=(BCRYPT_COST=4 LOG_LEVEL=warn REGISTRATION=open DATA_DIR="$data" APP_PORT="$port")
  export BENCH_DB_PID=""
  if [[ $engine == postgres ]]; then
    databases=$((databases + 1))
    psql -q "$HRAPP_TEST_POSTGRES_URL" -c "CREATE DATABASE hrapp_create_$databases"
    env_vars+=(DATABASE_URL="${HRAPP_TEST_POSTGRES_URL%/*}/hrapp_create_$databases")
    BENCH_DB_PID=$(head -1 "$HRAPP_PG_DATA/postmaster.pid")
  fi
  env "${env_vars[@]}" "$binary" serve >"$data/app.log" 2>&1 &
  app_pid=$!
  export BENCH_APP_PID=$app_pid
  wait_for "http://127.0.0.1:$port/health"
  HRAPP_COOKIES=$(node bench/seed.mjs "http://127.0.0.1:$port" 0)
  export HRAPP_COOKIES
  if [[ -n ${BENCH_PERF_DIR:-} && $round == "$rounds" ]]; then
    perf record -g -q -o "$work/perf-$engine-$label.data" -p "$app_pid" -- sleep "$((duration - 2))" 2>/dev/null &
    perf_pid=$!
  fi
  local before after a0 s0 d0 a1 s1 d1 result
  before=$(cost_snapshot)
  result=$(wrk -t 2 -c "$connections" -d "${duration}s" --timeout 10s -s "$work/create.lua" "http://127.0.0.1:$port" | grep '^RESULT')
  after=$(cost_snapshot)
  [[ -n $perf_pid ]] && wait "$perf_pid"
  kill "$app_pid"
  wait "$app_pid" 2>/dev/null || true
  app_pid=""
  read -r a0 _ d0 <<<"$before"
  read -r a1 _ d1 <<<"$after"
  of_result() { local value=${result#* "$1"=}; echo "${value%% *}"; }
  local requests
  requests=$(of_result requests)
  echo "$engine $label $(of_result rps) $(of_result p50_ms) $(of_result p99_ms) $(((a1 - a0) * tick_us / requests))" \
    "$(((d1 - d0) * tick_us / requests)) $(($(of_result errors) + $(of_result non2xx)))" | tee -a "$work/runs"
  if [[ -n $perf_pid ]]; then
    # Self time by symbol, then time with callees (what a caller's whole work costs).
    for kind in no-children children; do
      perf report -i "$work/perf-$engine-$label.data" "--$kind" --sort symbol -g none --stdio 2>/dev/null \
        | grep '%' | sed -E 's/[ -]+$//' | head -60 >"$BENCH_PERF_DIR/$engine-$label-$kind.txt" || true
    done
  fi
}

echo "engine build creates/s p50_ms p99_ms hrapp_us/create postgres_us/create failed"
for engine in ${BENCH_ENGINES:-sqlite postgres}; do
  for round in $(seq "$rounds"); do
    if ((round % 2)); then
      measure_build "$engine" A "$a" "$round"; measure_build "$engine" B "$b" "$round"
    else
      measure_build "$engine" B "$b" "$round"; measure_build "$engine" A "$a" "$round"
    fi
  done
done
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
of() { awk -v e="$1" -v b="$2" -v c="$3" '$1 == e && $2 == b {print $c}' "$work/runs" | median; }  # of <engine> <build> <column>
for engine in ${BENCH_ENGINES:-sqlite postgres}; do
  echo "median $engine: A $(of "$engine" A 3) creates/s (hrapp $(of "$engine" A 6) µs, PostgreSQL $(of "$engine" A 7) µs per create)," \
    "B $(of "$engine" B 3) creates/s (hrapp $(of "$engine" B 6) µs, PostgreSQL $(of "$engine" B 7) µs)," \
    "B/A $(awk -v a="$(of "$engine" A 3)" -v b="$(of "$engine" B 3)" 'BEGIN {printf "%.3f", b / a}')"
done
