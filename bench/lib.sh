# shellcheck shell=bash
# Shared by bench/run.sh and bench/scenarios.sh. Each measurement appends one JSON line to
# $BENCH_RESULTS.
free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'
}

wait_for() {
  for _ in $(seq 100); do curl -fs -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "bench: $1 did not answer" >&2
  return 1
}

record() {  # record <engine> <scenario> <key=value ...>
  local engine=$1 scenario=$2
  shift 2
  local fields=""
  for kv in "$@"; do fields+=",\"${kv%%=*}\":${kv#*=}"; done
  printf '{"engine":"%s","scenario":"%s"%s}\n' "$engine" "$scenario" "$fields" >>"$BENCH_RESULTS"
}

# measure <engine> <scenario> <url> [wrk script] [connections] [duration]
# Runs wrk BENCH_RUNS times (3) and records the run with the median requests/s, so one noisy
# run on a shared machine does not decide a figure; the ceiling is measured the same way.
measure() {
  local engine=$1 scenario=$2 url=$3 script=${4:-} connections=${5:-$BENCH_CONNECTIONS} duration=${6:-$BENCH_DURATION}
  # wrk takes one script: the scenario's request, then the reporting hook.
  local combined
  combined=$(mktemp --suffix=.lua)
  cat ${script:+"$script"} bench/report.lua >"$combined"
  local args=(-t "$BENCH_THREADS" -c "$connections" -d "${duration}s" --timeout "${BENCH_WRK_TIMEOUT:-2s}" --latency -s "$combined")
  local runs=() line
  for _ in $(seq "${BENCH_RUNS:-3}"); do
    line=$(wrk "${args[@]}" "$url" | grep '^RESULT') || { echo "bench: wrk failed for $scenario" >&2; rm -f "$combined"; return 1; }
    runs+=("${line#RESULT }")
  done
  rm -f "$combined"
  # "rps=1 p50_ms=2 ..." lines, sorted by their rps; the middle one.
  line=$(printf '%s\n' "${runs[@]}" | sort -t= -k2 -n | sed -n "$(((${#runs[@]} + 1) / 2))p")
  echo "bench: $engine $scenario: $line (median of ${#runs[@]}: $(printf '%s\n' "${runs[@]}" | sed 's/ .*//' | paste -sd' '))" >&2
  local kvs
  read -r -a kvs <<<"$line"
  record "$engine" "$scenario" "${kvs[@]}" "connections=$connections"
}
