# shellcheck shell=bash
# Shared by the bench's scripts (run.sh, scenarios.sh, scale.sh, ab.sh, create-ab.sh). Each
# measurement appends one JSON line to $BENCH_RESULTS.

# The start of a script that runs hrapp: $work, a temporary folder, and $app_pid, the app the
# script starts (empty while none runs). At exit the app is stopped and the folder removed.
init_work() {
  work=$(mktemp -d)
  app_pid=""
  trap '[[ -n $app_pid ]] && kill "$app_pid" 2>/dev/null; rm -rf "$work"' EXIT
}

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

# CPU time (clock ticks) and context switches of a process and its threads: "ticks switches".
process_cost() {
  local pid=$1 ticks switches
  ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  switches=$(cat /proc/"$pid"/task/*/status | awk '/ctxt_switches/ {n += $2} END {print n}')
  echo "$ticks $switches"
}

# The same, summed over BENCH_APP_PID and, when BENCH_DB_PID names the PostgreSQL server, its
# backends, live and ended: "app_ticks app_switches db_ticks".
cost_snapshot() {
  local app db_ticks=0 child
  app=$(process_cost "$BENCH_APP_PID")
  if [[ -n ${BENCH_DB_PID:-} ]]; then
    # Backends that have ended (pgbench's, at its end) count in the server's reaped children.
    db_ticks=$(awk '{print $16 + $17}' "/proc/$BENCH_DB_PID/stat")
    for child in $(pgrep -P "$BENCH_DB_PID"); do
      db_ticks=$((db_ticks + $(awk '{print $14 + $15}' "/proc/$child/stat" 2>/dev/null || echo 0)))
    done
  fi
  echo "$app $db_ticks"
}

# Runs a command with its CPU time (user + system, in microseconds) added to the variable named
# by $1:   with_cpu <var> <command...>   (the command's standard output passes through).
with_cpu() {
  local var=$1 times
  shift
  times=$(mktemp)
  /usr/bin/time -f '%U %S' -o "$times" "$@"
  local status=$?
  printf -v "$var" '%s' "$(awk -v before="${!var:-0}" '{printf "%d", before + ($1 + $2) * 1000000}' "$times")"
  rm -f "$times"
  return $status
}

# measure <engine> <scenario> <url> [wrk script] [connections] [duration]
# With BENCH_APP_PID set, also records where the CPU went over all runs: microseconds of hrapp
# CPU, of PostgreSQL CPU (BENCH_DB_PID) and hrapp's context switches, each per request. wrk's own
# CPU per request is always recorded: it shares the cores, so it bounds what the server can reach.
# Runs wrk BENCH_RUNS times (3) and records the run with the median requests/s, so one noisy
# run on a shared machine does not decide a figure; the ceiling is measured the same way.
measure() {
  local engine=$1 scenario=$2 url=$3 script=${4:-} connections=${5:-$BENCH_CONNECTIONS} duration=${6:-$BENCH_DURATION}
  # wrk takes one script: the scenario's request, then the reporting hook.
  local combined
  combined=$(mktemp --suffix=.lua)
  cat ${script:+"$script"} bench/report.lua >"$combined"
  local args=(-t "$BENCH_THREADS" -c "$connections" -d "${duration}s" --timeout "${BENCH_WRK_TIMEOUT:-2s}" --latency -s "$combined")
  local runs=() line before="" total_requests=0 wrk_us=0 output
  [[ -n ${BENCH_APP_PID:-} ]] && before=$(cost_snapshot)
  for _ in $(seq "${BENCH_RUNS:-3}"); do
    output=$(mktemp)
    with_cpu wrk_us wrk "${args[@]}" "$url" >"$output" || { echo "bench: wrk failed for $scenario" >&2; rm -f "$combined" "$output"; return 1; }
    line=$(grep '^RESULT' "$output") || { echo "bench: wrk reported nothing for $scenario" >&2; rm -f "$combined" "$output"; return 1; }
    rm -f "$output"
    runs+=("${line#RESULT }")
    local requests=${line#*requests=}
    total_requests=$((total_requests + ${requests%% *}))
  done
  local cost=("wrk_cpu_us=$((wrk_us / total_requests))")
  if [[ -n $before ]]; then
    local after tick_us a0 s0 d0 a1 s1 d1
    after=$(cost_snapshot)
    tick_us=$((1000000 / $(getconf CLK_TCK)))
    read -r a0 s0 d0 <<<"$before"
    read -r a1 s1 d1 <<<"$after"
    cost+=("app_cpu_us=$(((a1 - a0) * tick_us / total_requests))" "db_cpu_us=$(((d1 - d0) * tick_us / total_requests))"
      "switches=$(awk -v s=$((s1 - s0)) -v n="$total_requests" 'BEGIN {printf "%.2f", s / n}')")
  fi
  rm -f "$combined"
  # "rps=1 p50_ms=2 ..." lines, sorted by their rps; the middle one.
  line=$(printf '%s\n' "${runs[@]}" | sort -t= -k2 -n | sed -n "$(((${#runs[@]} + 1) / 2))p")
  echo "bench: $engine $scenario: $line (median of ${#runs[@]}: $(printf '%s\n' "${runs[@]}" | sed 's/ .*//' | paste -sd' '))" >&2
  local kvs
  read -r -a kvs <<<"$line"
  record "$engine" "$scenario" "${kvs[@]}" "${cost[@]}" "connections=$connections"
}
