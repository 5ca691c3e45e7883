#!/usr/bin/env bash
# Two builds measured by turns on the same machine, so that its drift from run to run falls on
# both alike:   bench/ab.sh <hrapp-A> <hrapp-B> [rounds]
# Each round starts each build in turn (the order alternating between rounds) on SQLite with the
# bench's 1,000 profiles, and measures GET /health and GET /employees/{id} with wrk (2 threads,
# 64 connections, BENCH_DURATION seconds, 10). Prints each run, then per build and scenario the
# median requests/s, and B's median over A's.
set -euo pipefail
a=$(realpath "$1") b=$(realpath "$2") rounds=${3:-5}
cd "$(dirname "$0")/.."
source bench/lib.sh
duration=${BENCH_DURATION:-10}
init_work

measure_build() {  # measure_build <label> <binary>
  local label=$1 binary=$2 port data
  port=$(free_port)
  data=$(mktemp -d -p "$work")
  # Open sign-up (the seed's): bench/seed.mjs registers its user.
  BCRYPT_COST=4 LOG_LEVEL=warn REGISTRATION=open DATA_DIR="$data" APP_PORT="$port" "$binary" serve >"$data/app.log" &
  app_pid=$!
  wait_for "http://127.0.0.1:$port/health"
  HRAPP_COOKIE=$(node bench/seed.mjs "http://127.0.0.1:$port" 1000)
  export HRAPP_COOKIE
  for scenario in health employee; do
    local script=() target="http://127.0.0.1:$port/health"
    if [[ $scenario == employee ]]; then
      cat bench/get-employee.lua >"$work/get.lua"
      script=(-s "$work/get.lua")
      target="http://127.0.0.1:$port"
    fi
    rps=$(wrk -t 2 -c 64 -d "${duration}s" "${script[@]}" "$target" | awk '/^Requests\/sec/ {print $2}')
    echo "$label $scenario $rps" | tee -a "$work/runs"
  done
  kill "$app_pid"
  wait "$app_pid" 2>/dev/null || true
  app_pid=""
}

for round in $(seq "$rounds"); do
  if ((round % 2)); then measure_build A "$a"; measure_build B "$b"; else measure_build B "$b"; measure_build A "$a"; fi
done
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
for scenario in health employee; do
  ma=$(awk -v s="$scenario" '$1 == "A" && $2 == s {print $3}' "$work/runs" | median)
  mb=$(awk -v s="$scenario" '$1 == "B" && $2 == s {print $3}' "$work/runs" | median)
  echo "median $scenario: A $ma/s, B $mb/s, B/A $(awk -v a="$ma" -v b="$mb" 'BEGIN {printf "%.3f", b / a}')"
done
