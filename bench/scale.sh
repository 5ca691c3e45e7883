#!/usr/bin/env bash
# Scale and crowds, one engine:   bench/scale.sh <hrapp> sqlite|postgres
# (postgres inside tests/with-postgres.sh, which gives HRAPP_TEST_POSTGRES_URL; bench/run.sh's
# scenarios.sh runs it for each engine, with BENCH_RESULTS to record into.)
#  1. 100,000 profiles (BENCH_SCALE_PROFILES) from bench/scale-data.mjs, loaded by the database's
#     own bulk load (sqlite3 .import, psql \copy) without their derived columns, as the previous
#     release or a bulk load writes them; then the start that derives their sort keys and search
#     column (and tidies the search index after them: VACUUM on PostgreSQL), timed from exec to
#     the first /health answer, and a start with nothing to derive.
#  2. wrk, BENCH_SCALE_CONNECTIONS (8) connections, a thread each, each thread signed in as a
#     reader of its own (one account's searches are shared two at a time): the first page of GET /employees,
#     a page 90,000 profiles deep reached by cursor (the next link of an offset page at 89,950),
#     a search of two words, and a crafted search (q = 'a' x 99 + 'b', one word of 100
#     characters); then /health probed 50 times a second while 8 connections make crafted
#     searches back to back.
#  3. A crowd (bench/crowd.mjs): one client holding 2,000 idle connections and 500 silent
#     bodies while another, on another address, checks /health and signs in.
# The server has no TRUSTED_PROXIES: each peer address is a client.
set -euo pipefail
hrapp=$1 engine=$2
cd "$(dirname "$0")/.."
source bench/lib.sh
init_work
profiles=${BENCH_SCALE_PROFILES:-100000}
connections=${BENCH_SCALE_CONNECTIONS:-8}
# The crowd's 2,500 sockets, and the server's 1,000 connections.
ulimit -n "$(ulimit -Hn)"

env_vars=(BCRYPT_COST=12 REGISTRATION=open DATA_DIR="$work/data")
if [[ $engine == postgres ]]; then
  psql -q "$HRAPP_TEST_POSTGRES_URL" -c "CREATE DATABASE hrapp_scale"
  db_url="${HRAPP_TEST_POSTGRES_URL%/*}/hrapp_scale"
  env_vars+=(DATABASE_URL="$db_url")
fi
sql() {  # sql <statement or sqlite3 dot-command>...
  if [[ $engine == postgres ]]; then
    local commands=()
    for statement in "$@"; do commands+=(-c "$statement"); done
    psql -qAt -v ON_ERROR_STOP=1 "$db_url" "${commands[@]}"
  else
    sqlite3 -bail -cmd '.timeout 10000' "$work/data/hrapp.db" "$@"
  fi
}
port=$(free_port)
base="http://127.0.0.1:$port"

start_app() {  # start_app <log level>: starts hrapp and waits for /health; start_seconds is how long that took
  local started ended
  started=$(date +%s.%N)
  env "${env_vars[@]}" LOG_LEVEL="$1" APP_PORT="$port" "$hrapp" serve >>"$work/app.log" 2>&1 &
  app_pid=$!
  until curl -fs -o /dev/null "$base/health"; do
    kill -0 "$app_pid" 2>/dev/null || { echo "bench: hrapp stopped while starting" >&2; tail -5 "$work/app.log" >&2; return 1; }
    sleep 0.02
  done
  ended=$(date +%s.%N)
  start_seconds=$(awk -v a="$started" -v b="$ended" 'BEGIN {printf "%.2f", b - a}')
}
stop_app() {
  kill -TERM "$app_pid"
  wait "$app_pid" || true
  app_pid=""
}
load_average() { cut -d' ' -f1 /proc/loadavg; }

# 1. The profiles, written around the server, and the start that derives them.
start_app warn
credentials='{"username":"bench.scale","password":"bench-password-1"}'
curl -fs -o /dev/null -H 'Content-Type: application/json' -d "$credentials" "$base/register"
stop_app
user_id=$(sql "SELECT id FROM users WHERE username = 'bench.scale'")
node bench/scale-data.mjs "$profiles" "$user_id" >"$work/profiles.csv"
columns='name, role, department, email, phone, location, start_date, user_id, created_at, updated_at'
loaded_at=$(date +%s.%N)
if [[ $engine == postgres ]]; then
  sql "\\copy employees ($columns) FROM '$work/profiles.csv' WITH (FORMAT csv, HEADER true)"
else
  sql ".import --csv $work/profiles.csv staging" \
    "INSERT INTO employees ($columns) SELECT name, role, department, NULLIF(email, ''), NULLIF(phone, ''), location,
       NULLIF(start_date, ''), user_id, created_at, updated_at FROM staging" \
    'DROP TABLE staging'
fi
load_seconds=$(awk -v a="$loaded_at" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')
echo "bench: $engine: $profiles profiles loaded by SQL in $load_seconds s" >&2
load=$(load_average)
start_app info
derive_seconds=$start_seconds
derived=$(sed -n "s/.*\"msg\":\"profiles' sort and search columns derived\",\"profiles\":\([0-9]*\).*/\1/p" "$work/app.log" | tail -1)
derive_rss=$(awk '$1 == "VmHWM:" {print $2}' "/proc/$app_pid/status")
stop_app
record "$engine" "scale: start deriving the profiles' columns" "seconds=$derive_seconds" "profiles=${derived:-0}" \
  "loaded=$profiles" "peak_rss_kib=$derive_rss" "load_seconds=$load_seconds" "loadavg=$load"
echo "bench: $engine: start deriving ${derived:-0} profiles: $derive_seconds s (load average $load)" >&2
start_app warn
nothing_seconds=$start_seconds
record "$engine" "scale: start with nothing to derive" "seconds=$nothing_seconds"
echo "bench: $engine: start with nothing to derive: $nothing_seconds s" >&2

# 2. Reads of the 100,000 profiles, by as many people as connections: wrk runs a thread per
# connection, each signed in as a reader of its own (bench/signed-in.lua), since one account's
# searches are shared two at a time.
sign_in() {  # sign_in <credentials>: prints the session cookie
  curl -fs -D - -o /dev/null -H 'Content-Type: application/json' -d "$1" "$base/login" |
    sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p' | head -1
}
HRAPP_COOKIE=$(sign_in "$credentials")
HRAPP_COOKIES=""
for reader in $(seq "$connections"); do
  reader_credentials="{\"username\":\"bench.reader.$reader\",\"password\":\"bench-password-1\"}"
  curl -fs -o /dev/null -H 'Content-Type: application/json' -d "$reader_credentials" "$base/register"
  HRAPP_COOKIES+="$(sign_in "$reader_credentials") "
done
export HRAPP_COOKIE HRAPP_COOKIES BENCH_THREADS=$connections
export BENCH_APP_PID=$app_pid BENCH_DB_PID=""
[[ $engine == postgres ]] && BENCH_DB_PID=$(head -1 "$HRAPP_PG_DATA/postmaster.pid")
headers() { curl -fs -D - -o /dev/null -H "Cookie: $HRAPP_COOKIE" "$base$1" | tr -d '\r'; }
first=$(headers /employees)
total=$(sed -n 's/^[Xx]-[Tt]otal-[Cc]ount: //p' <<<"$first")
capped=$(sed -n 's/^[Xx]-[Tt]otal-[Cc]ount-[Cc]apped: //p' <<<"$first")
record "$engine" "scale: X-Total-Count" "total=${total:-0}" "capped=${capped:-false}"
echo "bench: $engine: X-Total-Count: $total, X-Total-Count-Capped: ${capped:-absent}" >&2
deep=$(headers '/employees?offset=89950' | sed -n 's/^[Ll]ink: .*<\([^>]*\)>; rel="next".*/\1/p')
[[ $deep == *cursor=* ]] || { echo "bench: the page at offset 89,950 has no next link" >&2; exit 1; }
two_words=${BENCH_SCALE_WORDS:-sofia%20finance}
matches=$(headers "/employees?q=$two_words" | sed -n 's/^[Xx]-[Tt]otal-[Cc]ount: //p')
crafted="/employees?q=$(printf 'a%.0s' $(seq 99))b"

record "$engine" "scale: load average before the reads" "loadavg=$(load_average)"
measure "$engine" "scale: GET /employees (first page of 50)" "$base/employees" bench/signed-in.lua "$connections"
measure "$engine" "scale: a page 90,000 deep, by cursor" "$base$deep" bench/signed-in.lua "$connections"
measure "$engine" "scale: a search of two words ($matches matches)" "$base/employees?q=$two_words" bench/signed-in.lua "$connections"
measure "$engine" "scale: the crafted search (q of 100 characters)" "$base$crafted" bench/signed-in.lua "$connections"

# /health, probed as a load balancer would, while 8 connections search with the crafted q.
probe_seconds=$((BENCH_DURATION * ${BENCH_RUNS:-3}))
cat bench/signed-in.lua bench/report.lua >"$work/crafted.lua"
wrk -t 8 -c 8 -d "${probe_seconds}s" --timeout 2s -s "$work/crafted.lua" "$base$crafted" >"$work/crafted.out" &
searches=$!
sleep 1
node bench/probe.mjs "$base/health" "$((probe_seconds - 2))" 50 >"$work/probe.out"
wait "$searches"
read -r -a kvs <<<"$(sed 's/^RESULT //' "$work/probe.out")"
record "$engine" "scale: GET /health during 8 crafted searches" "${kvs[@]}" "connections=1"
echo "bench: $engine GET /health during 8 crafted searches: $(cat "$work/probe.out")" >&2
read -r -a kvs <<<"$(grep '^RESULT' "$work/crafted.out" | sed 's/^RESULT //')"
record "$engine" "scale: the crafted searches beside the /health probe" "${kvs[@]}" "connections=8"
echo "bench: $engine crafted searches beside the probe: ${kvs[*]}" >&2

# 3. The crowd.
record "$engine" "crowd: load average before" "loadavg=$(load_average)"
read -r ticks_before _ <<<"$(process_cost "$app_pid")"
crowd_started=$(date +%s.%N)
crowd=$(node bench/crowd.mjs "$port" "$((BENCH_DURATION * 2))")
read -r ticks_after _ <<<"$(process_cost "$app_pid")"
# hrapp's CPU over the crowd's run, in cores (2 is all of this machine).
cores_used=$(awk -v t=$((ticks_after - ticks_before)) -v hz="$(getconf CLK_TCK)" -v a="$crowd_started" -v b="$(date +%s.%N)" \
  'BEGIN {printf "%.2f", t / hz / (b - a)}')
read -r -a kvs <<<"${crowd#RESULT }"
record "$engine" "crowd: another client beside 2,000 idle connections and 500 silent bodies" "${kvs[@]}" "hrapp_cores=$cores_used"
echo "bench: $engine crowd: $crowd" >&2
stop_app
