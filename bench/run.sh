#!/usr/bin/env bash
# Measures hrapp with wrk on this machine and writes bench/RESULTS.md:
#   bench/run.sh <path-to-hrapp>
# The machine's ceiling first (nginx answering a static 200, same wrk settings), then the
# scenarios on SQLite and on PostgreSQL (with pgbench's own ceiling in the same run).
# BENCH_DURATION (seconds per run, 10), BENCH_RUNS (runs per scenario, median kept, 3),
# BENCH_CONNECTIONS (64), BENCH_THREADS (2).
set -euo pipefail
hrapp=$(realpath "${1:?usage: bench/run.sh <path-to-hrapp>}")
cd "$(dirname "$0")/.."
for tool in wrk nginx; do command -v "$tool" >/dev/null || { echo "bench: $tool is missing (make deps)" >&2; exit 1; }; done

export BENCH_DURATION=${BENCH_DURATION:-10} BENCH_CONNECTIONS=${BENCH_CONNECTIONS:-64} BENCH_THREADS=${BENCH_THREADS:-2}
export BENCH_RESULTS
BENCH_RESULTS=$(mktemp)
work=$(mktemp -d)
trap 'if [[ -f $work/nginx.pid ]]; then kill "$(cat "$work/nginx.pid")" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
source bench/lib.sh

port=$(free_port)
cat >"$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  server { listen 127.0.0.1:$port; location / { return 200 "ok"; } }
}
CONF
nginx -c "$work/nginx.conf" -p "$work"
wait_for "http://127.0.0.1:$port/"
measure ceiling "nginx static 200" "http://127.0.0.1:$port/"
kill "$(cat "$work/nginx.pid")"
rm -f "$work/nginx.pid"

bench/scenarios.sh "$hrapp" sqlite
tests/with-postgres.sh bench/scenarios.sh "$hrapp" postgres
# The raw figures are kept beside the report, so the next run shows what moved. The sections of
# the web UI (bench/lighthouse.mjs) and the fleet rehearsal (bench/fleet.sh) are kept, last.
node bench/report.mjs "$BENCH_RESULTS" bench/results.jsonl >"$work/RESULTS.md"
sed -n '/^## \(Web UI: Lighthouse and transfer\|Fleet rehearsal\)$/,$p' bench/RESULTS.md | sed '1s/^/\n/' >>"$work/RESULTS.md"
mv "$work/RESULTS.md" bench/RESULTS.md
mv "$BENCH_RESULTS" bench/results.jsonl
echo "bench: wrote bench/RESULTS.md" >&2
